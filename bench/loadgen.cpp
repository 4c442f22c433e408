// loadgen: a WebSocket load generator for chat servers (Confab, or anything that echoes
// every text frame to every client as "nick: text").
//
// One thread, one epoll set, non-blocking sockets, and its own WebSocket client code
// (handshake, masked frames out, unmasked frames in), so that the generator costs far less
// CPU than the server it measures. No Qt: it must never be the bottleneck.
//
// Every chat message it sends carries its run id, whether it belongs to the measurement,
// its sender, its sequence number and the time it was SCHEDULED to be sent, so a receiver
// computes latency on its own and queueing in the generator is never hidden (open loop).
//
// Run `loadgen --help` for the options; docs/PERFORMANCE.md for what the numbers mean.

#include <arpa/inet.h>
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <string_view>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <vector>

namespace {

// ---------------------------------------------------------------- clock and options

int64_t nowNs()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

double secs(int64_t ns) { return double(ns) / 1e9; }

struct Options
{
    std::string host = "127.0.0.1";
    int port = 0;
    std::string path = "/";
    int clients = 100;
    int senders = 4;
    int size = 100;
    enum Mode { Open, Closed, Idle } mode = Closed;
    double rate = 1000; // open loop: messages/s over all senders
    int window = 4; // closed loop: messages in flight per sender
    double duration = 10;
    double warmup = 2;
    double drain = 10; // wait at most this long for the last deliveries
    double settleMax = 120; // wait at most this long for the join storm to quiet
    double settleQuiet = 0.3; // quiet this long counts as settled
    bool json = false; // confab.v1 instead of plain guest
    int serverPid = 0;
    int connectConcurrency = 1000;
    bool jsonOut = false;
    std::string label;
};

void usage()
{
    std::puts(
        "usage: loadgen --port P [options]\n"
        "  --host H               server address (127.0.0.1)\n"
        "  --port P               server port (required)\n"
        "  --clients N            connections (100)\n"
        "  --senders S            how many of them send (4); the rest only receive\n"
        "  --size B               chat text bytes per message (100, at least 48)\n"
        "  --mode open|closed|idle\n"
        "                         open: --rate messages/s in all, latency from the scheduled\n"
        "                         send time; closed: --window messages in flight per sender\n"
        "                         (a sender's own echo frees a slot); idle: connect, hold\n"
        "  --rate R               open loop: messages/s over all senders (1000)\n"
        "  --window W             closed loop: in flight per sender (4)\n"
        "  --duration D           measured seconds (10); in idle mode, seconds held\n"
        "  --warmup W             seconds of load before measuring (2)\n"
        "  --drain D              seconds to wait for late deliveries at the end (10)\n"
        "  --settle-max S         seconds to wait for join traffic to quiet (120)\n"
        "  --protocol plain|json  plain guest (no subprotocol), or confab.v1 JSON\n"
        "  --server-pid PID       read the server's CPU and memory from /proc/PID\n"
        "  --connect-concurrency C  handshakes under way at once (1000)\n"
        "  --label L              copied into the output\n"
        "  --json                 print a JSON object after the key=value line\n"
        "Output: one line of key=value (see docs/PERFORMANCE.md). Exit status 0 when the\n"
        "run completed and every expected delivery arrived exactly once, 1 otherwise.");
}

bool parseArgs(int argc, char **argv, Options &o)
{
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto val = [&](const char *name) -> const char * {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "loadgen: %s needs a value\n", name);
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--help" || a == "-h") {
            usage();
            std::exit(0);
        } else if (a == "--host") o.host = val("--host");
        else if (a == "--port") o.port = std::atoi(val("--port"));
        else if (a == "--clients") o.clients = std::atoi(val("--clients"));
        else if (a == "--senders") o.senders = std::atoi(val("--senders"));
        else if (a == "--size") o.size = std::atoi(val("--size"));
        else if (a == "--mode") {
            std::string m = val("--mode");
            if (m == "open") o.mode = Options::Open;
            else if (m == "closed") o.mode = Options::Closed;
            else if (m == "idle") o.mode = Options::Idle;
            else {
                std::fprintf(stderr, "loadgen: --mode is open, closed or idle\n");
                return false;
            }
        } else if (a == "--rate") o.rate = std::atof(val("--rate"));
        else if (a == "--window") o.window = std::atoi(val("--window"));
        else if (a == "--duration") o.duration = std::atof(val("--duration"));
        else if (a == "--warmup") o.warmup = std::atof(val("--warmup"));
        else if (a == "--drain") o.drain = std::atof(val("--drain"));
        else if (a == "--settle-max") o.settleMax = std::atof(val("--settle-max"));
        else if (a == "--protocol") {
            std::string p = val("--protocol");
            if (p == "plain") o.json = false;
            else if (p == "json") o.json = true;
            else {
                std::fprintf(stderr, "loadgen: --protocol is plain or json\n");
                return false;
            }
        } else if (a == "--server-pid") o.serverPid = std::atoi(val("--server-pid"));
        else if (a == "--connect-concurrency") o.connectConcurrency = std::atoi(val("--connect-concurrency"));
        else if (a == "--label") o.label = val("--label");
        else if (a == "--json") o.jsonOut = true;
        else {
            std::fprintf(stderr, "loadgen: unknown option %s (see --help)\n", a.c_str());
            return false;
        }
    }
    if (o.port <= 0 || o.port > 65535) {
        std::fprintf(stderr, "loadgen: --port is required\n");
        return false;
    }
    if (o.clients < 1 || o.senders < 0 || o.senders > o.clients || o.size < 48 || o.size > 60000
        || o.window < 1 || o.rate <= 0 || o.duration <= 0 || o.warmup < 0
        || o.connectConcurrency < 1) {
        std::fprintf(stderr, "loadgen: an option is out of range (see --help)\n");
        return false;
    }
    if (o.mode == Options::Idle)
        o.senders = 0;
    return true;
}

// ---------------------------------------------------------------- latency histogram

// Log-linear buckets of microseconds: exact below 1,024 µs, then 512 per power of two
// (0.2 % resolution), enough for any latency a run can see.
class Histogram
{
public:
    Histogram() : m_counts(1024 + 40 * 512, 0) { }
    void add(int64_t us)
    {
        if (us < 0)
            us = 0;
        ++m_counts[index(uint64_t(us))];
        ++m_total;
        if (us > m_max)
            m_max = us;
    }
    uint64_t count() const { return m_total; }
    double maxMs() const { return double(m_max) / 1000.0; }
    double percentileMs(double p) const
    {
        if (m_total == 0)
            return 0;
        const uint64_t rank = std::max<uint64_t>(1, uint64_t(std::ceil(p * double(m_total))));
        uint64_t seen = 0;
        for (size_t i = 0; i < m_counts.size(); ++i) {
            seen += m_counts[i];
            if (seen >= rank)
                return std::min(double(upper(i)), double(m_max)) / 1000.0;
        }
        return maxMs();
    }

private:
    static size_t index(uint64_t v)
    {
        if (v < 1024)
            return size_t(v);
        const int e = 63 - __builtin_clzll(v); // >= 10
        const int shift = e - 9;
        size_t i = 1024 + size_t(e - 10) * 512 + size_t((v >> shift) - 512);
        return std::min(i, size_t(1024 + 40 * 512 - 1));
    }
    static uint64_t upper(size_t i)
    {
        if (i < 1024)
            return i;
        const size_t e = (i - 1024) / 512 + 10;
        const uint64_t sub = (i - 1024) % 512 + 512;
        const int shift = int(e) - 9;
        return ((sub + 1) << shift) - 1;
    }
    std::vector<uint64_t> m_counts;
    uint64_t m_total = 0;
    int64_t m_max = 0;
};

// ---------------------------------------------------------------- /proc readers

struct ProcSample
{
    bool ok = false;
    double cpuSec = 0; // utime + stime
    long rssKb = 0;
    long hwmKb = 0;
};

ProcSample readProc(int pid)
{
    ProcSample s;
    if (pid <= 0)
        return s;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = std::fopen(path, "r");
    if (!f)
        return s;
    char buf[2048];
    const size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    buf[n] = 0;
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const char *p = std::strrchr(buf, ')');
    if (!p)
        return s;
    p += 2;
    // p is at field 3 (state); utime and stime are fields 14 and 15.
    unsigned long long utime = 0, stime = 0;
    int field = 3;
    while (*p && field < 14) {
        if (*p == ' ')
            ++field;
        ++p;
    }
    if (std::sscanf(p, "%llu %llu", &utime, &stime) != 2)
        return s;
    s.cpuSec = double(utime + stime) / double(sysconf(_SC_CLK_TCK));
    std::snprintf(path, sizeof path, "/proc/%d/status", pid);
    f = std::fopen(path, "r");
    if (!f)
        return s;
    char line[256];
    while (std::fgets(line, sizeof line, f)) {
        if (std::strncmp(line, "VmRSS:", 6) == 0)
            s.rssKb = std::atol(line + 6);
        else if (std::strncmp(line, "VmHWM:", 6) == 0)
            s.hwmKb = std::atol(line + 6);
    }
    std::fclose(f);
    s.ok = true;
    return s;
}

double ownCpuSec()
{
    rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec)
        + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// ---------------------------------------------------------------- connections

enum class State { Idle, Connecting, Handshake, Open, Closed };

struct Conn
{
    int fd = -1;
    int index = 0;
    State state = State::Idle;
    bool ready = false; // first text frame (plain) or welcome (json) seen
    bool wantWrite = false;
    std::string in; // unparsed bytes (a partial frame), usually empty
    std::string frag; // a fragmented message being assembled
    std::string out; // bytes the kernel did not take yet
    uint32_t mask = 0;
    // as a sender
    int senderIndex = -1;
    uint64_t nextSeq = 0;
    int inFlight = 0;
};

struct Stats
{
    int64_t connectStart = 0, allUpgraded = 0, allReady = 0, settled = 0;
    int upgraded = 0, readyCount = 0, failedConnects = 0, closedByServer = 0;
    uint64_t framesIn = 0, bytesIn = 0, chatFramesIn = 0;
    uint64_t sentMeasured = 0, sentTotal = 0;
    uint64_t deliveredMeasured = 0; // deliveries of measured messages, whenever they arrive
    uint64_t deliveredInWindow = 0; // any deliveries of this run, inside the window
    uint64_t foreign = 0; // chat-looking frames of another run (history replays)
    Histogram latency;
};

class LoadGen
{
public:
    explicit LoadGen(const Options &o) : m_o(o) { }
    int run();

private:
    bool startConnect(Conn &c);
    void onEvent(Conn &c, uint32_t events);
    void onReadable(Conn &c);
    void onWritable(Conn &c);
    void sendRaw(Conn &c, const char *data, size_t len);
    void sendFrame(Conn &c, int opcode, const char *payload, size_t len);
    bool parseHandshake(Conn &c);
    void parseFrames(Conn &c, const char *data, size_t len);
    void onMessage(Conn &c, int opcode, const char *data, size_t len);
    void onText(Conn &c, const char *data, size_t len);
    void closeConn(Conn &c, bool byServer);
    void sendChat(Conn &c, int64_t scheduledNs);
    void pump(int64_t untilNs, bool (LoadGen::*done)() const);
    bool connectDone() const
    {
        return m_connectsLeft == 0 && m_handshaking == 0
            && m_stats.readyCount + m_closedNotReady == m_o.clients;
    }
    bool neverDone() const { return false; }
    bool drained() const { return m_stats.deliveredMeasured >= m_expectedMeasured(); }
    uint64_t m_expectedMeasured() const { return m_stats.sentMeasured * uint64_t(m_o.clients); }
    void openLoopTick(int64_t now);

    Options m_o;
    int m_ep = -1;
    sockaddr_storage m_addr {};
    socklen_t m_addrLen = 0;
    std::vector<Conn> m_conns;
    std::vector<int> m_senders; // conn indexes
    int m_connectsLeft = 0;
    int m_nextToConnect = 0;
    int m_handshaking = 0;
    int m_closedNotReady = 0;
    uint32_t m_runId = 0;
    char m_runTag[16] {}; // "Z<8 hex>|"
    std::string m_request;
    std::string m_pad;
    Stats m_stats;
    // phases
    enum class Phase { Connect, Settle, Warmup, Measure, Drain } m_phase = Phase::Connect;
    int64_t m_measureStart = 0, m_measureEnd = 0;
    int64_t m_lastInNs = 0; // the last frame received, for settling
    // open loop
    int64_t m_openStart = 0;
    uint64_t m_openNext = 0; // messages scheduled so far
    bool m_sending = false;
    std::vector<char> m_rbuf = std::vector<char>(256 * 1024);
};

bool LoadGen::startConnect(Conn &c)
{
    c.fd = socket(m_addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) {
        std::fprintf(stderr, "loadgen: socket: %s (raise ulimit -n?)\n", std::strerror(errno));
        return false;
    }
    const int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c.state = State::Connecting;
    if (connect(c.fd, reinterpret_cast<sockaddr *>(&m_addr), m_addrLen) != 0
        && errno != EINPROGRESS) {
        std::fprintf(stderr, "loadgen: connect: %s\n", std::strerror(errno));
        ::close(c.fd);
        c.fd = -1;
        c.state = State::Closed;
        return false;
    }
    epoll_event ev {};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
    ev.data.u32 = uint32_t(c.index);
    epoll_ctl(m_ep, EPOLL_CTL_ADD, c.fd, &ev);
    c.wantWrite = true;
    ++m_handshaking;
    return true;
}

void LoadGen::closeConn(Conn &c, bool byServer)
{
    if (c.state == State::Closed)
        return;
    if (c.state == State::Connecting || c.state == State::Handshake)
        --m_handshaking;
    if (!c.ready) {
        ++m_closedNotReady;
        if (c.state != State::Open)
            ++m_stats.failedConnects;
    }
    if (byServer && c.state == State::Open)
        ++m_stats.closedByServer;
    c.state = State::Closed;
    if (c.fd >= 0) {
        epoll_ctl(m_ep, EPOLL_CTL_DEL, c.fd, nullptr);
        ::close(c.fd);
        c.fd = -1;
    }
    std::string().swap(c.in);
    std::string().swap(c.out);
}

void LoadGen::sendRaw(Conn &c, const char *data, size_t len)
{
    if (c.state == State::Closed)
        return;
    if (c.out.empty()) {
        const ssize_t n = ::send(c.fd, data, len, MSG_NOSIGNAL);
        if (n == ssize_t(len))
            return;
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                closeConn(c, true);
                return;
            }
        } else {
            data += n;
            len -= size_t(n);
        }
    }
    c.out.append(data, len);
    if (!c.wantWrite) {
        epoll_event ev {};
        ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
        ev.data.u32 = uint32_t(c.index);
        epoll_ctl(m_ep, EPOLL_CTL_MOD, c.fd, &ev);
        c.wantWrite = true;
    }
}

void LoadGen::sendFrame(Conn &c, int opcode, const char *payload, size_t len)
{
    char buf[14 + 65536];
    std::string big;
    char *p = buf;
    if (len + 14 > sizeof buf) {
        big.resize(len + 14);
        p = big.data();
    }
    size_t h = 0;
    p[h++] = char(0x80 | opcode);
    if (len < 126) {
        p[h++] = char(0x80 | len);
    } else if (len < 65536) {
        p[h++] = char(0x80 | 126);
        p[h++] = char(len >> 8);
        p[h++] = char(len);
    } else {
        p[h++] = char(0x80 | 127);
        for (int i = 7; i >= 0; --i)
            p[h++] = char(uint64_t(len) >> (8 * i));
    }
    c.mask = c.mask * 1664525u + 1013904223u;
    const uint32_t m = c.mask | 0x01010101u; // never zero: the server really unmasks
    unsigned char mk[4] = { uint8_t(m >> 24), uint8_t(m >> 16), uint8_t(m >> 8), uint8_t(m) };
    std::memcpy(p + h, mk, 4);
    h += 4;
    for (size_t i = 0; i < len; ++i)
        p[h + i] = char(uint8_t(payload[i]) ^ mk[i & 3]);
    sendRaw(c, p, h + len);
}

void LoadGen::onWritable(Conn &c)
{
    if (c.state == State::Connecting) {
        int err = 0;
        socklen_t l = sizeof err;
        getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &l);
        if (err != 0) {
            closeConn(c, true);
            return;
        }
        c.state = State::Handshake;
        sendRaw(c, m_request.data(), m_request.size());
    } else if (!c.out.empty()) {
        const ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                closeConn(c, true);
            return;
        }
        c.out.erase(0, size_t(n));
    }
    if (c.state != State::Closed && c.out.empty() && c.wantWrite) {
        epoll_event ev {};
        ev.events = EPOLLIN | EPOLLRDHUP;
        ev.data.u32 = uint32_t(c.index);
        epoll_ctl(m_ep, EPOLL_CTL_MOD, c.fd, &ev);
        c.wantWrite = false;
    }
}

bool LoadGen::parseHandshake(Conn &c)
{
    const size_t end = c.in.find("\r\n\r\n");
    if (end == std::string::npos) {
        if (c.in.size() > 16384)
            closeConn(c, true);
        return false;
    }
    if (c.in.compare(0, 12, "HTTP/1.1 101") != 0) {
        std::fprintf(stderr, "loadgen: handshake refused: %.*s\n",
                     int(std::min<size_t>(end, c.in.find("\r\n"))), c.in.data());
        closeConn(c, true);
        return false;
    }
    c.state = State::Open;
    --m_handshaking;
    if (++m_stats.upgraded == m_o.clients)
        m_stats.allUpgraded = nowNs();
    std::string rest = c.in.substr(end + 4);
    c.in.clear();
    if (m_o.json) {
        char hello[128];
        const int n = std::snprintf(hello, sizeof hello,
                                    "{\"type\":\"hello\",\"version\":1,\"nick\":\"lg%x-%d\"}",
                                    m_runId & 0xffff, c.index);
        sendFrame(c, 1, hello, size_t(n));
    }
    // Start the next connection as this one's handshake is done.
    if (m_connectsLeft > 0) {
        --m_connectsLeft;
        startConnect(m_conns[size_t(m_nextToConnect++)]);
    }
    if (!rest.empty())
        parseFrames(c, rest.data(), rest.size());
    return true;
}

void LoadGen::onReadable(Conn &c)
{
    for (;;) {
        const ssize_t n = ::recv(c.fd, m_rbuf.data(), m_rbuf.size(), 0);
        if (n == 0) {
            closeConn(c, true);
            return;
        }
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                closeConn(c, true);
            return;
        }
        m_stats.bytesIn += uint64_t(n);
        if (c.state == State::Handshake) {
            c.in.append(m_rbuf.data(), size_t(n));
            parseHandshake(c);
        } else if (c.state == State::Open) {
            if (c.in.empty()) {
                parseFrames(c, m_rbuf.data(), size_t(n));
            } else {
                c.in.append(m_rbuf.data(), size_t(n));
                std::string buf;
                buf.swap(c.in);
                parseFrames(c, buf.data(), buf.size());
            }
        }
        if (c.state == State::Closed || size_t(n) < m_rbuf.size())
            return;
    }
}

// Parses whole frames from data; keeps a trailing partial frame in c.in.
void LoadGen::parseFrames(Conn &c, const char *data, size_t len)
{
    size_t pos = 0;
    while (c.state == State::Open && len - pos >= 2) {
        const uint8_t b0 = uint8_t(data[pos]), b1 = uint8_t(data[pos + 1]);
        size_t h = 2;
        uint64_t plen = b1 & 0x7f;
        if (plen == 126) {
            if (len - pos < 4)
                break;
            plen = (uint64_t(uint8_t(data[pos + 2])) << 8) | uint8_t(data[pos + 3]);
            h = 4;
        } else if (plen == 127) {
            if (len - pos < 10)
                break;
            plen = 0;
            for (int i = 0; i < 8; ++i)
                plen = (plen << 8) | uint8_t(data[pos + 2 + size_t(i)]);
            h = 10;
        }
        if (b1 & 0x80) { // servers never mask; refuse rather than guess
            std::fprintf(stderr, "loadgen: masked frame from the server\n");
            closeConn(c, true);
            return;
        }
        if (len - pos < h + plen)
            break;
        const char *payload = data + pos + h;
        const int opcode = b0 & 0x0f;
        const bool fin = b0 & 0x80;
        ++m_stats.framesIn;
        if (opcode >= 8) {
            onMessage(c, opcode, payload, size_t(plen));
        } else if (opcode != 0 && fin) {
            onMessage(c, opcode, payload, size_t(plen));
        } else {
            c.frag.append(payload, size_t(plen));
            if (fin) {
                std::string whole;
                whole.swap(c.frag);
                onMessage(c, 1, whole.data(), whole.size());
            }
        }
        pos += h + size_t(plen);
    }
    if (c.state == State::Open && pos < len)
        c.in.assign(data + pos, len - pos);
}

void LoadGen::onMessage(Conn &c, int opcode, const char *data, size_t len)
{
    m_lastInNs = nowNs();
    switch (opcode) {
    case 1:
        onText(c, data, len);
        break;
    case 8: // close: answer it and go
        sendFrame(c, 8, data, std::min<size_t>(len, 2));
        closeConn(c, true);
        break;
    case 9: // ping
        sendFrame(c, 10, data, len);
        break;
    default:
        break;
    }
}

void LoadGen::onText(Conn &c, const char *data, size_t len)
{
    if (!c.ready) {
        // Plain: the greeting line; JSON: the welcome (anything before it is an error).
        // (Qt's JSON writer sorts keys, so "type" is not first.)
        if (!m_o.json
            || std::string_view(data, len).find("\"type\":\"welcome\"") != std::string_view::npos) {
            c.ready = true;
            if (++m_stats.readyCount == m_o.clients)
                m_stats.allReady = nowNs();
        } else if (m_o.json) {
            std::fprintf(stderr, "loadgen: before welcome: %.*s\n", int(std::min<size_t>(len, 300)),
                         data);
        }
    }
    // Find this run's tag: after "nick: " in plain, inside "text":"..." in JSON.
    const std::string_view sv(data, len);
    size_t at = m_o.json ? sv.find("\"text\":\"Z") : sv.find(": Z");
    if (at == std::string_view::npos)
        return;
    at += m_o.json ? 8 : 2;
    ++m_stats.chatFramesIn;
    if (sv.compare(at, 10, m_runTag) != 0) {
        ++m_stats.foreign;
        return;
    }
    // Z<run>|<M|W>|<sender>|<seq>|<scheduled ns>|
    const char *p = data + at + 10;
    const char *end = data + len;
    if (end - p < 3)
        return;
    const bool measured = p[0] == 'M';
    p += 2;
    auto num = [&]() -> uint64_t {
        uint64_t v = 0;
        while (p < end && *p >= '0' && *p <= '9')
            v = v * 10 + uint64_t(*p++ - '0');
        if (p < end)
            ++p; // '|'
        return v;
    };
    const uint64_t sender = num();
    const uint64_t seq = num();
    const int64_t scheduled = int64_t(num());
    (void)seq;
    const int64_t now = nowNs();
    if (measured) {
        ++m_stats.deliveredMeasured;
        m_stats.latency.add((now - scheduled) / 1000);
    }
    if (m_phase == Phase::Measure && now >= m_measureStart)
        ++m_stats.deliveredInWindow;
    // A sender's own echo frees a slot of its window (closed loop).
    if (c.senderIndex >= 0 && uint64_t(c.senderIndex) == sender) {
        if (c.inFlight > 0)
            --c.inFlight;
        if (m_o.mode == Options::Closed && m_sending) {
            while (c.inFlight < m_o.window && c.state == State::Open)
                sendChat(c, nowNs());
        }
    }
}

void LoadGen::sendChat(Conn &c, int64_t scheduledNs)
{
    const bool measured = m_phase == Phase::Measure;
    char text[128];
    int n = std::snprintf(text, sizeof text, "%s%c|%d|%" PRIu64 "|%" PRId64 "|", m_runTag,
                          measured ? 'M' : 'W', c.senderIndex, c.nextSeq, scheduledNs);
    std::string body;
    body.reserve(size_t(m_o.size) + 96);
    if (m_o.json) {
        char head[96];
        const int hn = std::snprintf(head, sizeof head,
                                     "{\"type\":\"chat\",\"clientId\":\"%x-%d-%" PRIu64
                                     "\",\"text\":\"",
                                     m_runId, c.senderIndex, c.nextSeq);
        body.append(head, size_t(hn));
    }
    body.append(text, size_t(n));
    if (m_o.size > n)
        body.append(m_pad.data(), size_t(m_o.size - n));
    if (m_o.json)
        body.append("\"}");
    ++c.nextSeq;
    ++c.inFlight;
    ++m_stats.sentTotal;
    if (measured)
        ++m_stats.sentMeasured;
    sendFrame(c, 1, body.data(), body.size());
}

void LoadGen::onEvent(Conn &c, uint32_t events)
{
    if (events & EPOLLOUT)
        onWritable(c);
    if (c.state != State::Closed && (events & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)))
        onReadable(c);
    if (c.state != State::Closed && (events & (EPOLLHUP | EPOLLERR)))
        closeConn(c, true);
}

void LoadGen::openLoopTick(int64_t now)
{
    if (!m_sending || m_senders.empty())
        return;
    const double interval = 1e9 / m_o.rate;
    // Everything whose scheduled time has come is sent now, stamped with that time.
    for (;;) {
        const int64_t t = m_openStart + int64_t(double(m_openNext) * interval);
        if (t > now)
            break;
        Conn &c = m_conns[size_t(m_senders[m_openNext % m_senders.size()])];
        ++m_openNext;
        if (c.state == State::Open)
            sendChat(c, t);
    }
}

// Runs the event loop until untilNs, or until (this->*done)() holds.
void LoadGen::pump(int64_t untilNs, bool (LoadGen::*done)() const)
{
    epoll_event events[512];
    for (;;) {
        int64_t now = nowNs();
        if (now >= untilNs || (this->*done)())
            return;
        if (m_o.mode == Options::Open)
            openLoopTick(now);
        int64_t wake = untilNs;
        if (m_sending && m_o.mode == Options::Open) {
            const int64_t next = m_openStart + int64_t(double(m_openNext) * (1e9 / m_o.rate));
            wake = std::min(wake, next);
        }
        if (m_phase == Phase::Settle)
            wake = std::min(wake, now + 50'000'000);
        const int64_t wait = std::max<int64_t>(0, wake - now);
        timespec ts { time_t(wait / 1000000000LL), long(wait % 1000000000LL) };
        const int n = epoll_pwait2(m_ep, events, 512, &ts, nullptr);
        if (n < 0 && errno != EINTR) {
            std::perror("loadgen: epoll_pwait2");
            return;
        }
        for (int i = 0; i < n; ++i)
            onEvent(m_conns[events[i].data.u32], events[i].events);
        if (m_phase == Phase::Settle && nowNs() - m_lastInNs > int64_t(m_o.settleQuiet * 1e9))
            return;
        if (m_phase == Phase::Measure && now >= m_measureStart) {
            // (deliveries are counted in onText)
        }
    }
}

int LoadGen::run()
{
    // Resolve the address.
    addrinfo hints {}, *res = nullptr;
    hints.ai_socktype = SOCK_STREAM;
    const std::string portStr = std::to_string(m_o.port);
    if (getaddrinfo(m_o.host.c_str(), portStr.c_str(), &hints, &res) != 0 || !res) {
        std::fprintf(stderr, "loadgen: cannot resolve %s\n", m_o.host.c_str());
        return 2;
    }
    std::memcpy(&m_addr, res->ai_addr, res->ai_addrlen);
    m_addrLen = res->ai_addrlen;
    freeaddrinfo(res);

    rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rlim_t(m_o.clients) + 64 > rl.rlim_cur) {
        rl.rlim_cur = std::min<rlim_t>(rl.rlim_max, rlim_t(m_o.clients) + 64);
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
        if (rlim_t(m_o.clients) + 16 > rl.rlim_cur) {
            std::fprintf(stderr, "loadgen: %d clients need more open files than ulimit -n %lu\n",
                         m_o.clients, (unsigned long)rl.rlim_cur);
            return 2;
        }
    }

    timespec seed;
    clock_gettime(CLOCK_REALTIME, &seed);
    m_runId = uint32_t(seed.tv_nsec ^ (seed.tv_sec << 10) ^ (getpid() << 16));
    std::snprintf(m_runTag, sizeof m_runTag, "Z%08x|", m_runId);
    m_pad.assign(size_t(m_o.size), 'x');
    m_request = "GET " + m_o.path + " HTTP/1.1\r\nHost: " + m_o.host + ":" + portStr
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        + (m_o.json ? "Sec-WebSocket-Protocol: confab.v1\r\n" : "") + "\r\n";

    m_ep = epoll_create1(EPOLL_CLOEXEC);
    m_conns.resize(size_t(m_o.clients));
    for (int i = 0; i < m_o.clients; ++i) {
        m_conns[size_t(i)].index = i;
        m_conns[size_t(i)].mask = uint32_t(i) * 2654435761u + m_runId;
    }
    // Senders are spread over the connections, not the first few.
    for (int s = 0; s < m_o.senders; ++s) {
        const int idx = int(int64_t(s) * m_o.clients / std::max(1, m_o.senders));
        m_conns[size_t(idx)].senderIndex = s;
        m_senders.push_back(idx);
    }

    const ProcSample before = readProc(m_o.serverPid);

    // ---- connect
    m_phase = Phase::Connect;
    m_stats.connectStart = nowNs();
    m_connectsLeft = m_o.clients;
    const int first = std::min(m_o.clients, m_o.connectConcurrency);
    for (int i = 0; i < first; ++i) {
        --m_connectsLeft;
        if (!startConnect(m_conns[size_t(m_nextToConnect++)]))
            return 2;
    }
    pump(m_stats.connectStart + int64_t(m_o.settleMax * 1e9), &LoadGen::connectDone);
    const int64_t connectEnd = nowNs();
    const bool allConnected = m_stats.readyCount == m_o.clients;

    // ---- settle: the join announcements to everyone must die down before measuring
    m_phase = Phase::Settle;
    m_lastInNs = nowNs();
    pump(m_stats.connectStart + int64_t(m_o.settleMax * 1e9), &LoadGen::neverDone);
    m_stats.settled = nowNs();
    const ProcSample afterConnect = readProc(m_o.serverPid);

    // ---- load
    const ProcSample *srvA = nullptr;
    ProcSample srvStart, srvEnd;
    double genStart = 0, genEnd = 0;
    int64_t windowNs = 0;
    if (m_o.mode == Options::Idle) {
        m_phase = Phase::Measure;
        m_measureStart = nowNs();
        srvStart = readProc(m_o.serverPid);
        genStart = ownCpuSec();
        m_measureEnd = m_measureStart + int64_t(m_o.duration * 1e9);
        pump(m_measureEnd, &LoadGen::neverDone);
        srvEnd = readProc(m_o.serverPid);
        genEnd = ownCpuSec();
        windowNs = nowNs() - m_measureStart;
    } else {
        m_phase = Phase::Warmup;
        m_sending = true;
        const int64_t t0 = nowNs();
        m_openStart = t0;
        if (m_o.mode == Options::Closed) {
            for (int idx : m_senders) {
                Conn &c = m_conns[size_t(idx)];
                while (c.state == State::Open && c.inFlight < m_o.window)
                    sendChat(c, nowNs());
            }
        }
        pump(t0 + int64_t(m_o.warmup * 1e9), &LoadGen::neverDone);
        m_phase = Phase::Measure;
        m_measureStart = nowNs();
        srvStart = readProc(m_o.serverPid);
        genStart = ownCpuSec();
        m_measureEnd = m_measureStart + int64_t(m_o.duration * 1e9);
        pump(m_measureEnd, &LoadGen::neverDone);
        windowNs = nowNs() - m_measureStart;
        srvEnd = readProc(m_o.serverPid);
        genEnd = ownCpuSec();
        m_sending = false;
        m_phase = Phase::Drain;
        pump(nowNs() + int64_t(m_o.drain * 1e9), &LoadGen::drained);
    }
    srvA = &srvEnd;
    const ProcSample last = readProc(m_o.serverPid);
    const int64_t drainEnd = nowNs();

    // ---- report
    const double window = secs(windowNs);
    const uint64_t expected = m_expectedMeasured();
    const double ratio = expected ? double(m_stats.deliveredMeasured) / double(expected) : 0.0;
    const double genCpu = window > 0 ? 100.0 * (genEnd - genStart) / window : 0;
    const double srvCpu = (srvStart.ok && srvA->ok && window > 0)
        ? 100.0 * (srvA->cpuSec - srvStart.cpuSec) / window
        : -1;
    const double memPerConnKb = (before.ok && afterConnect.ok && m_o.clients > 0)
        ? double(afterConnect.rssKb - before.rssKb) / double(m_o.clients)
        : -1;
    int open = 0;
    for (const Conn &c : m_conns)
        open += c.state == State::Open ? 1 : 0;

    const char *mode = m_o.mode == Options::Open ? "open" : m_o.mode == Options::Closed ? "closed" : "idle";
    char line[4096];
    int n = std::snprintf(
        line, sizeof line,
        "label=%s mode=%s protocol=%s clients=%d senders=%d size=%d rate=%g window=%d "
        "connected=%d connect_s=%.3f ready_s=%.3f settle_s=%.3f failed_connects=%d "
        "window_s=%.3f sent=%" PRIu64 " expected=%" PRIu64 " delivered=%" PRIu64
        " ratio=%.3f lost=%" PRId64 " deliveries_per_s=%.0f msgs_per_s=%.0f "
        "p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f "
        "gen_cpu_pct=%.1f server_cpu_pct=%.1f deliveries_per_server_cpu_s=%.0f server_rss_kb=%ld server_hwm_kb=%ld "
        "mem_per_conn_kb=%.2f open_at_end=%d closed_by_server=%d foreign=%" PRIu64 " drain_s=%.3f",
        m_o.label.empty() ? "-" : m_o.label.c_str(), mode, m_o.json ? "json" : "plain",
        m_o.clients, m_o.senders, m_o.size, m_o.mode == Options::Open ? m_o.rate : 0.0,
        m_o.mode == Options::Closed ? m_o.window : 0, m_stats.readyCount,
        secs((m_stats.allUpgraded ? m_stats.allUpgraded : connectEnd) - m_stats.connectStart),
        secs((m_stats.allReady ? m_stats.allReady : connectEnd) - m_stats.connectStart),
        secs(m_stats.settled - m_stats.connectStart), m_stats.failedConnects, window,
        m_stats.sentMeasured, expected, m_stats.deliveredMeasured, ratio,
        int64_t(expected) - int64_t(m_stats.deliveredMeasured),
        window > 0 ? double(m_stats.deliveredInWindow) / window : 0.0,
        window > 0 ? double(m_stats.sentMeasured) / window : 0.0,
        m_stats.latency.percentileMs(0.50), m_stats.latency.percentileMs(0.99),
        m_stats.latency.percentileMs(0.999), m_stats.latency.maxMs(), genCpu, srvCpu,
        srvCpu > 0 ? double(m_stats.deliveredInWindow) / (srvCpu / 100.0 * window) : 0.0,
        last.ok ? last.rssKb : -1L, last.ok ? last.hwmKb : -1L, memPerConnKb, open,
        m_stats.closedByServer, m_stats.foreign,
        m_o.mode == Options::Idle ? 0.0 : secs(drainEnd - m_measureEnd));
    std::fwrite(line, 1, size_t(n), stdout);
    std::fputc('\n', stdout);
    if (m_o.jsonOut) {
        // The same pairs as a JSON object (numbers stay numbers).
        std::string j = "{";
        std::string_view rest(line, size_t(n));
        bool firstPair = true;
        while (!rest.empty()) {
            const size_t sp = rest.find(' ');
            const std::string_view pair = rest.substr(0, sp);
            rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
            const size_t eq = pair.find('=');
            const std::string_view k = pair.substr(0, eq), v = pair.substr(eq + 1);
            char *endp = nullptr;
            const std::string vs(v);
            std::strtod(vs.c_str(), &endp);
            const bool numeric = !vs.empty() && endp && *endp == 0;
            j += firstPair ? "\"" : ",\"";
            j.append(k);
            j += "\":";
            if (numeric)
                j += vs;
            else
                j += "\"" + vs + "\"";
            firstPair = false;
        }
        j += "}";
        std::puts(j.c_str());
    }
    std::fflush(stdout);
    for (Conn &c : m_conns)
        if (c.fd >= 0)
            ::close(c.fd);
    const bool complete = allConnected && open == m_o.clients && m_stats.closedByServer == 0
        && m_stats.deliveredMeasured == expected && (m_o.mode == Options::Idle || expected > 0);
    return complete ? 0 : 1;
}

} // namespace

int main(int argc, char **argv)
{
    std::signal(SIGPIPE, SIG_IGN);
    Options o;
    if (!parseArgs(argc, argv, o))
        return 2;
    LoadGen gen(o);
    return gen.run();
}
