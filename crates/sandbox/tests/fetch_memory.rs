//! A FETCH of a whole large folder is streamed message by message: the server's memory
//! stays flat whatever the folder size, even when the client reads slowly, and every
//! byte arrives exactly. (Alone in its test binary so the process RSS is this test's.)

mod common;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{Sandbox, LOGIN, PASSWORD};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::time::timeout;

const MESSAGES: usize = 60;
const SIZE: usize = 1024 * 1024;
/// Well below the folder's 60 MiB (building the answer in memory took several times it).
const MAX_GROWTH_KB: u64 = 20 * 1024;

/// Message `i`: a header and lines that differ per message, exactly `SIZE` bytes.
fn body(i: usize) -> Vec<u8> {
    let mut out =
        format!("Subject: big {i}\r\nMessage-ID: <big{i}@example.org>\r\n\r\n").into_bytes();
    let mut j = 0;
    while out.len() < SIZE {
        let fill = (b'a' + ((i + j) % 26) as u8) as char;
        let line = format!("{i:04}-{j:06}-{}\r\n", fill.to_string().repeat(64));
        out.extend_from_slice(line.as_bytes());
        j += 1;
    }
    out.truncate(SIZE);
    out
}

fn rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// Samples the process RSS until stopped; returns the peak.
fn sample_peak(stop: Arc<AtomicBool>, peak: Arc<AtomicU64>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            peak.fetch_max(rss_kb(), Ordering::Relaxed);
            std::thread::sleep(Duration::from_millis(5));
        }
    })
}

async fn line(r: &mut BufReader<TcpStream>) -> String {
    let mut l = String::new();
    let n = timeout(Duration::from_secs(30), r.read_line(&mut l))
        .await
        .unwrap()
        .unwrap();
    assert!(n > 0, "connection closed");
    l
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_of_a_large_folder_streams_with_flat_memory_and_exact_bytes() {
    let sb = Sandbox::start().await;
    for i in 0..MESSAGES {
        sb.store
            .append(LOGIN, "INBOX", &body(i), &[], None)
            .unwrap();
    }
    let s = TcpStream::connect(sb.server.local_addr()).await.unwrap();
    let mut r = BufReader::with_capacity(64 * 1024, s);
    line(&mut r).await;
    r.get_mut()
        .write_all(format!("l LOGIN \"{LOGIN}\" \"{PASSWORD}\"\r\ns SELECT INBOX\r\n").as_bytes())
        .await
        .unwrap();
    while !line(&mut r).await.starts_with("s OK") {}

    let baseline = rss_kb();
    let (stop, peak) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicU64::new(0)),
    );
    let sampler = sample_peak(stop.clone(), peak.clone());
    r.get_mut()
        .write_all(b"f FETCH 1:* BODY.PEEK[]\r\n")
        .await
        .unwrap();
    let mut received = 0usize;
    let mut chunk = vec![0u8; 64 * 1024];
    for i in 0..MESSAGES {
        let head = line(&mut r).await;
        assert_eq!(head, format!("* {} FETCH (BODY[] {{{SIZE}}}\r\n", i + 1));
        let expected = body(i);
        let mut at = 0;
        // A slow reader: 64 KiB at a time with a pause, so the server has to wait.
        while at < SIZE {
            let n = (SIZE - at).min(chunk.len());
            r.read_exact(&mut chunk[..n]).await.unwrap();
            assert!(
                chunk[..n] == expected[at..at + n],
                "message {i} differs at {at}"
            );
            at += n;
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        received += at;
        assert_eq!(line(&mut r).await, ")\r\n");
    }
    let done = line(&mut r).await;
    stop.store(true, Ordering::Relaxed);
    sampler.join().unwrap();
    assert!(done.starts_with("f OK"), "{done}");
    assert_eq!(received, MESSAGES * SIZE);
    let growth = peak.load(Ordering::Relaxed).saturating_sub(baseline);
    eprintln!("RSS growth while streaming the folder: {growth} kB");
    assert!(
        growth < MAX_GROWTH_KB,
        "the server's memory grew by {growth} kB while sending a {} kB folder",
        MESSAGES * SIZE / 1024
    );
}
