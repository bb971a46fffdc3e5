//! The hickory request handler: answers each query from the zone set as seen at the
//! simulated clock's current time.

use super::wire::{kind_of, soa, to_wire};
use super::zones::{Answer, ZoneSet};
use crate::clock::SimClock;
use hickory_proto::op::{Header, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::Record;
use hickory_server::authority::MessageResponseBuilder;
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use std::sync::{Arc, Mutex};

pub(crate) struct Responder {
    pub zones: Arc<Mutex<ZoneSet>>,
    pub clock: SimClock,
}

impl Responder {
    /// Response code, answers and authority (SOA) records for a request.
    fn resolve(&self, request: &Request) -> (ResponseCode, Vec<Record>, Vec<Record>) {
        if request.message_type() != MessageType::Query || request.op_code() != OpCode::Query {
            return (ResponseCode::NotImp, vec![], vec![]);
        }
        let Some(query) = request.queries().first() else {
            return (ResponseCode::FormErr, vec![], vec![]);
        };
        let qname = query.name().to_string();
        let mut zones = self.zones.lock().unwrap_or_else(|p| p.into_inner());
        zones.promote(self.clock.now());
        let answer = zones.answer(&qname, kind_of(query.query_type()));
        drop(zones);
        let soa_of = |zone: &str| soa(zone).into_iter().collect::<Vec<_>>();
        match answer {
            Answer::Records { records, .. } => {
                let wire: Result<Vec<Record>, _> = records.iter().map(to_wire).collect();
                match wire {
                    Ok(wire) => (ResponseCode::NoError, wire, vec![]),
                    Err(e) => {
                        tracing::warn!("simulated zone holds a record that cannot be served: {e}");
                        (ResponseCode::ServFail, vec![], vec![])
                    }
                }
            }
            Answer::NoData { zone } => (ResponseCode::NoError, vec![], soa_of(&zone)),
            Answer::NxDomain { zone } => (ResponseCode::NXDomain, vec![], soa_of(&zone)),
            Answer::ServFail => (ResponseCode::ServFail, vec![], vec![]),
            Answer::Refused => (ResponseCode::Refused, vec![], vec![]),
        }
    }
}

#[async_trait::async_trait]
impl RequestHandler for Responder {
    async fn handle_request<R: ResponseHandler>(
        &self,
        request: &Request,
        mut response_handle: R,
    ) -> ResponseInfo {
        let (code, answers, authority) = self.resolve(request);
        let mut header = Header::response_from_request(request.header());
        header.set_authoritative(code != ResponseCode::Refused);
        header.set_recursion_available(false);
        header.set_response_code(code);
        let builder = MessageResponseBuilder::from_message_request(request);
        let response = builder.build(header, answers.iter(), [], authority.iter(), []);
        match response_handle.send_response(response).await {
            Ok(info) => info,
            Err(e) => {
                tracing::debug!("could not send a DNS answer: {e}");
                let mut failed = Header::response_from_request(request.header());
                failed.set_response_code(ResponseCode::ServFail);
                failed.into()
            }
        }
    }
}
