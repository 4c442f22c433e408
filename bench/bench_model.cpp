// Issue #3's "big rooms" figures: the time to load 100,000 messages into the message model,
// the memory they take, and the cost of scrolling the real view (offscreen) over them.
// Prints medians of several runs; nothing here is asserted (bench/, not tests/).
//
//   build/bench/bench_model [--runs N] [--messages N]

#include "app/ui/messageview.h"
#include "common/messagemodel.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QScrollBar>

#include <algorithm>
#include <cstdio>

using Confab::Protocol::ChatMessage;

namespace {

qint64 rssKiB()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

double median(QList<double> v)
{
    std::sort(v.begin(), v.end());
    return v.isEmpty() ? 0 : v.at(v.size() / 2);
}

QList<ChatMessage> makeMessages(int n)
{
    static const QString texts[] = {
        QStringLiteral("Good morning, everyone!"),
        QStringLiteral("안녕하세요, 오늘 회의는 3시에 시작합니다."),
        QStringLiteral("Has anyone seen the projector remote? It was on the shelf by the window yesterday."),
        QStringLiteral("ok 👍"),
    };
    const QDateTime t0 = QDateTime::currentDateTimeUtc();
    QList<ChatMessage> list;
    list.reserve(n);
    for (int i = 1; i <= n; ++i)
        list.append(ChatMessage { QStringLiteral("id-%1").arg(i), i,
                                  i % 3 ? QStringLiteral("Alice") : QStringLiteral("민수"),
                                  t0.addSecs(i), texts[i % 4], {}, {}, false, false, {} });
    return list;
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addOptions({ { QStringLiteral("runs"), QStringLiteral("Runs per figure."), QStringLiteral("N"), QStringLiteral("5") },
                        { QStringLiteral("messages"), QStringLiteral("Messages."), QStringLiteral("N"), QStringLiteral("100000") } });
    parser.process(app);
    const int runs = parser.value(QStringLiteral("runs")).toInt();
    const int n = parser.value(QStringLiteral("messages")).toInt();
    const QList<ChatMessage> messages = makeMessages(n);

    QList<double> oneBatch, pagesBackwards, liveOneByOne, memory, scrollStep, jumpEnds;
    for (int r = 0; r < runs; ++r) {
        {
            const qint64 before = rssKiB();
            MessageModel model;
            QElapsedTimer t;
            t.start();
            model.addMessages(messages);
            oneBatch.append(t.nsecsElapsed() / 1e6);
            memory.append(double(rssKiB() - before) * 1024.0 / n);
        }
        {
            // As the client pages back through history: 100-message pages, newest first.
            MessageModel model;
            QElapsedTimer t;
            t.start();
            for (int end = n; end > 0; end -= 100)
                model.addMessages(messages.mid(std::max(0, end - 100), std::min(100, end)));
            pagesBackwards.append(t.nsecsElapsed() / 1e6);
        }
        {
            // As live traffic: one message at a time.
            MessageModel model;
            QElapsedTimer t;
            t.start();
            for (const ChatMessage &m : messages)
                model.addMessage(m);
            liveOneByOne.append(t.nsecsElapsed() / 1e6);
        }
        {
            MessageModel model;
            model.addMessages(messages);
            MessageView view;
            view.resize(800, 600);
            view.setModel(&model);
            view.show();
            QCoreApplication::processEvents();
            QScrollBar *bar = view.verticalScrollBar();
            QElapsedTimer t;
            t.start();
            view.scrollToTop();
            QCoreApplication::processEvents();
            view.scrollToBottom();
            QCoreApplication::processEvents();
            jumpEnds.append(t.nsecsElapsed() / 1e6);
            // 200 page-up steps from the bottom, each repainted, as a user dragging up.
            t.restart();
            for (int i = 0; i < 200; ++i) {
                bar->setValue(bar->value() - bar->pageStep());
                view.viewport()->repaint();
            }
            scrollStep.append(t.nsecsElapsed() / 1e6 / 200.0);
        }
    }
    std::printf("messages: %d, runs: %d (medians)\n", n, runs);
    std::printf("load in one batch:            %8.1f ms\n", median(oneBatch));
    std::printf("load as 100-message pages:    %8.1f ms\n", median(pagesBackwards));
    std::printf("load one by one (live):       %8.1f ms\n", median(liveOneByOne));
    std::printf("model memory per message:     %8.0f bytes (RSS growth)\n", median(memory));
    std::printf("view: jump top and bottom:    %8.2f ms\n", median(jumpEnds));
    std::printf("view: one page scroll+paint:  %8.3f ms\n", median(scrollStep));
    return 0;
}
