// Issue #9's "the GUI keeps up": how long the chat window's event loop stops while a burst
// of messages arrives. A real room (RoomServer on 127.0.0.1, history on, --max-rate 0) runs
// on a thread of its own; a plain-text guest on another thread sends N messages as fast as
// it can; the window (ChatWindow, shown on the offscreen platform, so every change is really
// laid out and painted into its backing store) receives them through a ChatClient on the
// main thread. A 1 ms timer on the main thread measures the gaps between its ticks: the
// longest gap is the longest time the window could not react to the user. On two shared
// cores the room and the sender compete with the window for CPU, so a gap can also be the
// main thread waiting for a core: the bench also reports the longest "busy" stall, the most
// CPU time the main thread itself used between two ticks (CLOCK_THREAD_CPUTIME_ID), which
// is the window's own work that held up its event loop.
// Prints each run and the medians; nothing is asserted except that every message arrived
// (exit status 1 otherwise), so the smoke test in tests/bench cannot pass on a lost message.
//
//   QT_QPA_PLATFORM=offscreen build/bench/bench_gui [--messages N] [--runs N]

#include "app/core/chatclient.h"
#include "app/ui/chatwindow.h"
#include "app/ui/messageview.h"
#include "common/messagemodel.h"
#include "server/roomserver.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QScrollBar>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <QWebSocket>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <memory>

namespace {

// CPU time the calling thread has used, in ms.
double threadCpuMs()
{
    timespec ts {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1000.0 + double(ts.tv_nsec) / 1e6;
}

double median(QList<double> v)
{
    std::sort(v.begin(), v.end());
    return v.isEmpty() ? 0 : v.at(v.size() / 2);
}

double percentile(QList<double> v, double p)
{
    if (v.isEmpty())
        return 0;
    std::sort(v.begin(), v.end());
    return v.at(qMin(v.size() - 1, qsizetype(p * double(v.size()))));
}

// Runs `f` on `thread` (through an object living there) and waits for it.
template<typename F>
void runOn(QObject *anchor, F f)
{
    QMetaObject::invokeMethod(anchor, f, Qt::BlockingQueuedConnection);
}

struct Result
{
    bool complete = false;
    double seconds = 0; // first message to last, as the window saw them
    double longestStallMs = 0; // longest gap between 1 ms ticks, minus the 1 ms
    double longestBusyMs = 0; // most main-thread CPU time between two ticks
    double p99GapMs = 0;
    int stallsOver50ms = 0;
    double lastRowMs = 0; // from the last arrival until it was laid out at the bottom
};

Result runOnce(int messages)
{
    Result r;
    QTemporaryDir dir;

    QThread serverThread;
    QObject serverAnchor;
    serverAnchor.moveToThread(&serverThread);
    serverThread.start();
    std::unique_ptr<RoomServer> server;
    QUrl url;
    runOn(&serverAnchor, [&] {
        ServerConfig config;
        config.bindAddress = QHostAddress::LocalHost;
        config.port = 0;
        config.dataDir = dir.path();
        config.roomName = QStringLiteral("Burst");
        config.maxRate = 0; // as compare.sh: every other limit stays on
        config.announce = false;
        server = std::make_unique<RoomServer>(config);
        if (server->start())
            url = server->url();
    });
    if (url.isEmpty()) {
        std::fprintf(stderr, "bench_gui: the room did not start\n");
        runOn(&serverAnchor, [&] { server.reset(); });
        serverThread.quit();
        serverThread.wait();
        return r;
    }

    ChatClient client;
    ChatWindow window(&client);
    window.resize(900, 700);
    window.show();
    client.open(url, QStringLiteral("viewer"));
    QElapsedTimer waiting;
    waiting.start();
    while (client.state() != ChatClient::State::Joined && waiting.elapsed() < 10000)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);

    // The sender: a plain-text guest on its own thread, every line a message.
    QThread senderThread;
    QObject senderAnchor;
    senderAnchor.moveToThread(&senderThread);
    senderThread.start();
    QWebSocket *sender = nullptr;
    runOn(&senderAnchor, [&] {
        sender = new QWebSocket;
        QObject::connect(sender, &QWebSocket::connected, sender, [sender, messages] {
            for (int i = 1; i <= messages; ++i)
                sender->sendTextMessage(
                    QStringLiteral("burst message %1 — 안녕하세요, the quick brown fox").arg(i));
        });
        sender->open(url);
    });

    MessageModel *model = client.messages();
    const int target = messages;
    int received = 0;
    QElapsedTimer clock;
    clock.start();
    qint64 firstAt = -1;
    qint64 lastAt = -1;
    QObject::connect(model, &QAbstractItemModel::rowsInserted, &window,
                     [&](const QModelIndex &, int first, int last) {
                         for (int row = first; row <= last; ++row) {
                             if (model->index(row).data(MessageModel::TextRole).toString().startsWith(
                                     QLatin1String("burst message ")))
                                 ++received;
                         }
                         if (firstAt < 0)
                             firstAt = clock.elapsed();
                         if (received >= target && lastAt < 0)
                             lastAt = clock.nsecsElapsed() / 1000; // µs
                     });

    QList<double> gaps;
    gaps.reserve(200000);
    qint64 lastTick = clock.nsecsElapsed();
    double lastCpu = threadCpuMs();
    double longestBusy = 0;
    QTimer ticker;
    ticker.setTimerType(Qt::PreciseTimer);
    ticker.setInterval(1);
    QObject::connect(&ticker, &QTimer::timeout, &window, [&] {
        const qint64 now = clock.nsecsElapsed();
        gaps.append(double(now - lastTick) / 1e6);
        lastTick = now;
        const double cpu = threadCpuMs();
        longestBusy = qMax(longestBusy, cpu - lastCpu);
        lastCpu = cpu;
    });
    ticker.start();
    const qint64 deadline = 120000;
    while (received < target && clock.elapsed() < deadline)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
    // Until the last row is laid out and the view sits at the bottom.
    MessageView *view = window.messageView();
    while (clock.elapsed() < deadline
           && view->verticalScrollBar()->value() != view->verticalScrollBar()->maximum())
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    const qint64 settled = clock.nsecsElapsed() / 1000;
    ticker.stop();

    r.complete = received >= target;
    r.seconds = firstAt >= 0 && lastAt >= 0 ? (double(lastAt) / 1000.0 - double(firstAt)) / 1000.0 : 0;
    r.lastRowMs = lastAt >= 0 ? double(settled - lastAt) / 1000.0 : 0;
    for (double g : std::as_const(gaps)) {
        r.longestStallMs = qMax(r.longestStallMs, g - 1.0);
        if (g > 50)
            ++r.stallsOver50ms;
    }
    r.p99GapMs = percentile(gaps, 0.99);
    r.longestBusyMs = longestBusy;
    if (!r.complete)
        std::fprintf(stderr, "bench_gui: %d of %d messages arrived\n", received, target);

    runOn(&senderAnchor, [&] { delete sender; });
    senderThread.quit();
    senderThread.wait();
    client.close();
    runOn(&serverAnchor, [&] { server.reset(); });
    serverThread.quit();
    serverThread.wait();
    return r;
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("The chat window's longest event-loop stall during a burst"));
    parser.addHelpOption();
    QCommandLineOption messagesOption(QStringLiteral("messages"), QStringLiteral("Messages in the burst (default 10000)."),
                                      QStringLiteral("N"), QStringLiteral("10000"));
    QCommandLineOption runsOption(QStringLiteral("runs"), QStringLiteral("Runs (default 3)."),
                                  QStringLiteral("N"), QStringLiteral("3"));
    parser.addOptions({ messagesOption, runsOption });
    parser.process(app);
    const int messages = qMax(1, parser.value(messagesOption).toInt());
    const int runs = qMax(1, parser.value(runsOption).toInt());

    QList<double> seconds, stalls, busy, p99s, settle, over50;
    bool allComplete = true;
    for (int run = 1; run <= runs; ++run) {
        const Result r = runOnce(messages);
        allComplete = allComplete && r.complete;
        std::printf("run %d: %d messages in %.2f s (%.0f/s), longest stall %.1f ms (busy %.1f ms), "
                    "p99 tick gap %.2f ms, stalls over 50 ms: %d, last row settled %.1f ms after it "
                    "arrived%s\n",
                    run, messages, r.seconds, r.seconds > 0 ? messages / r.seconds : 0.0,
                    r.longestStallMs, r.longestBusyMs, r.p99GapMs, r.stallsOver50ms, r.lastRowMs,
                    r.complete ? "" : " (INCOMPLETE)");
        std::fflush(stdout);
        seconds.append(r.seconds);
        stalls.append(r.longestStallMs);
        busy.append(r.longestBusyMs);
        p99s.append(r.p99GapMs);
        settle.append(r.lastRowMs);
        over50.append(r.stallsOver50ms);
    }
    std::printf("median of %d: burst of %d in %.2f s, longest event-loop stall %.1f ms (busy %.1f ms), "
                "p99 tick gap %.2f ms, stalls over 50 ms %.0f, last row settled in %.1f ms\n",
                runs, messages, median(seconds), median(stalls), median(busy), median(p99s),
                median(over50), median(settle));
    return allComplete ? 0 : 1;
}
