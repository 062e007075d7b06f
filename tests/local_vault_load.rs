//! `kvtui serve` under idle connections and half-sent hellos: a real client is
//! still answered, memory stays small, the fds come back, and a low fd limit
//! neither locks clients out nor floods the log.

use std::net::SocketAddr;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

const TOKEN: &str = "load-test-token-0123456789";

struct Serve {
    child: Child,
    addr: SocketAddr,
    ca: Vec<u8>,
    _dir: TempDir,
}

/// Lets this process hold a few thousand sockets.
fn raise_own_fd_limit() {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain get/set of this process's limit.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 {
            lim.rlim_cur = lim.rlim_max.min(8192);
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}

/// `kvtui serve` on an ephemeral port with one-second deadlines, under `ulimit -n fds` if given.
async fn serve(fds: Option<u32>) -> Serve {
    let dir = TempDir::new().expect("temp dir");
    let exe = env!("CARGO_BIN_EXE_kvtui");
    let cmd = format!(
        "{}exec \"$0\" serve --port 0 --no-samples --in-memory --handshake-timeout 1 --request-timeout 1 --idle-timeout 1",
        fds.map(|n| format!("ulimit -n {n} && "))
            .unwrap_or_default()
    );
    let mut child = Command::new("sh")
        .args(["-c", &cmd, exe])
        .env("KVTUI_DATA_DIR", dir.path())
        .env("KVTUI_TOKEN", TOKEN)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("kvtui serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let addr = tokio::time::timeout(Duration::from_secs(60), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(addr) = line.strip_prefix("kvtui local vault listening on ") {
                return addr.trim().parse::<SocketAddr>().ok();
            }
        }
        None
    })
    .await
    .expect("banner in time")
    .expect("listening address");
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let ca = std::fs::read(dir.path().join("ca.pem")).expect("ca.pem");
    Serve {
        child,
        addr,
        ca,
        _dir: dir,
    }
}

impl Serve {
    fn pid(&self) -> u32 {
        self.child.id().expect("running")
    }

    fn rss_kib(&self) -> u64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).expect("status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS")
    }

    fn fds(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.pid()))
            .map(|d| d.count())
            .unwrap_or(0)
    }

    /// An authenticated list on a fresh connection; its status and how long it took.
    async fn timed_get(&self) -> (u16, Duration) {
        let certs = reqwest::Certificate::from_pem_bundle(&self.ca).expect("CA");
        let http = reqwest::Client::builder()
            .tls_certs_only(certs)
            .no_proxy()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("client");
        let url = format!(
            "https://localhost:{}/secrets?api-version=7.6",
            self.addr.port()
        );
        let started = Instant::now();
        let rsp = http
            .get(url)
            .header("authorization", format!("Bearer {TOKEN}"))
            .send()
            .await
            .expect("answered");
        (rsp.status().as_u16(), started.elapsed())
    }
}

/// Opens `n` connections that send nothing, or the first bytes of a hello.
async fn hold(addr: SocketAddr, n: usize, half_hello: bool) -> Vec<TcpStream> {
    let mut held = Vec::with_capacity(n);
    for _ in 0..n {
        let Ok(mut tcp) = TcpStream::connect(addr).await else {
            continue;
        };
        if half_hello {
            let _ = tcp
                .write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc])
                .await;
        }
        held.push(tcp);
    }
    held
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_and_half_hellos_lock_out_no_one_and_cost_little() {
    raise_own_fd_limit();
    let svc = serve(None).await;
    let (status, _) = svc.timed_get().await;
    assert_eq!(status, 200);
    let base_fds = svc.fds();
    let mut held = hold(svc.addr, 1000, false).await;
    held.extend(hold(svc.addr, 300, true).await);
    assert!(held.len() >= 1200, "held {}", held.len());
    let (status, took) = svc.timed_get().await;
    assert_eq!(status, 200);
    assert!(took < Duration::from_secs(1), "answered in {took:?}");
    let rss = svc.rss_kib();
    assert!(rss < 100 * 1024, "RSS {rss} KiB");
    // After the handshake deadline the server has let go of every one of them.
    let deadline = Instant::now() + Duration::from_secs(15);
    while svc.fds() > base_fds + 8 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let fds = svc.fds();
    assert!(fds <= base_fds + 8, "fds {fds}, were {base_fds}");
    eprintln!(
        "held {} connections: GET in {took:?}, RSS {rss} KiB, fds {base_fds} -> {fds}",
        held.len()
    );
    drop(held);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_a_low_fd_limit_clients_still_get_in_and_the_log_stays_quiet() {
    raise_own_fd_limit();
    let mut svc = serve(Some(256)).await;
    let mut stderr = svc.child.stderr.take().expect("stderr");
    let logged = tokio::spawn(async move {
        let mut all = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(20), stderr.read_to_end(&mut all)).await;
        all.len()
    });
    let held = hold(svc.addr, 400, false).await;
    for _ in 0..3 {
        let (status, took) = svc.timed_get().await;
        assert_eq!(status, 200);
        assert!(took < Duration::from_secs(1), "answered in {took:?}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let _ = svc.child.start_kill();
    let _ = svc.child.wait().await;
    let bytes = logged.await.expect("stderr reader");
    assert!(bytes < 16 * 1024, "{bytes} bytes of log");
    drop(held);
}
