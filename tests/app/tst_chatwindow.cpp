// ChatWindow against a real room on 127.0.0.1: the status bar follows the connection
// ("Connecting…", "Connected to…", a "Reconnecting in N s" countdown, "Disconnected:
// reason"), the hosting label, and scrolling to the top fetching older history.

#include "app/core/chatclient.h"
#include "app/ui/chatwindow.h"
#include "app/ui/messageview.h"
#include "common/messagemodel.h"
#include "server/roomserver.h"

#include <QLabel>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

class TestChatWindow final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void statusFollowsTheConnection();
    void saysWhyItStopped();
    void showsTheAddressWhenHosting();
    void scrollingToTheTopFetchesOlderHistory();

private:
    std::unique_ptr<RoomServer> startServer(quint16 port = 0, int welcomeHistory = 100);

    std::unique_ptr<QTemporaryDir> m_dataDir;
    std::unique_ptr<RoomServer> m_server;
};

void TestChatWindow::init()
{
    m_dataDir = std::make_unique<QTemporaryDir>();
    m_server = startServer();
    QVERIFY(m_server);
}

void TestChatWindow::cleanup()
{
    m_server.reset();
    m_dataDir.reset();
}

std::unique_ptr<RoomServer> TestChatWindow::startServer(quint16 port, int welcomeHistory)
{
    ServerConfig config;
    config.bindAddress = QHostAddress::LocalHost;
    config.port = port;
    config.roomName = QStringLiteral("Test room");
    config.dataDir = m_dataDir->path();
    config.welcomeHistory = welcomeHistory;
    auto server = std::make_unique<RoomServer>(config);
    return server->start() ? std::move(server) : nullptr;
}

void TestChatWindow::statusFollowsTheConnection()
{
    ChatClient client;
    // Exactly 3 s (cap = start): the countdown's first and second readings are known.
    client.setBackoff(Backoff(3000, 3000, 1));
    ChatWindow window(&client);
    QCOMPARE(window.statusText(), QStringLiteral("Disconnected"));
    client.open(m_server->url(), QStringLiteral("alice"));
    QCOMPARE(window.statusText(), QStringLiteral("Connecting…"));
    QTRY_COMPARE(window.statusText(), QStringLiteral("Connected to Test room as alice"));
    QCOMPARE(window.windowTitle(), QStringLiteral("Test room — Confab"));

    const quint16 port = m_server->port();
    m_server.reset();
    QTRY_COMPARE(client.state(), ChatClient::State::WaitingToReconnect);
    QVERIFY2(window.statusText() == QStringLiteral("Reconnecting in 3 s"),
             qPrintable(window.statusText()));
    // Counts down each second without the client doing anything. (The room stays down, so
    // the countdown comes round again every 3 s: a slow machine that misses one still sees it.)
    QTRY_COMPARE_WITH_TIMEOUT(window.statusText(), QStringLiteral("Reconnecting in 2 s"), 10000);

    m_server = startServer(port);
    QVERIFY(m_server);
    QTRY_COMPARE_WITH_TIMEOUT(window.statusText(),
                              QStringLiteral("Connected to Test room as alice"), 15000);
}

void TestChatWindow::saysWhyItStopped()
{
    ChatClient first;
    first.open(m_server->url(), QStringLiteral("alice"));
    QTRY_COMPARE(first.state(), ChatClient::State::Joined);

    ChatClient second;
    ChatWindow window(&second);
    QSignalSpy errors(&second, &ChatClient::errorReceived);
    second.open(m_server->url(), QStringLiteral("alice"));
    QTRY_COMPARE(errors.size(), 1);
    QVERIFY(errors.at(0).at(2).toBool()); // fatal: the same name will not work on retry
    QCOMPARE(second.state(), ChatClient::State::Disconnected);
    QCOMPARE(window.statusText(),
             QStringLiteral("Disconnected: %1").arg(errors.at(0).at(1).toString()));
}

void TestChatWindow::showsTheAddressWhenHosting()
{
    ChatClient client;
    ChatWindow window(&client);
    auto *label = window.findChild<QLabel *>(QStringLiteral("hostedAddress"));
    QVERIFY(label);
    window.show();
    QVERIFY(!label->isVisible());
    window.setHostedUrl(QUrl(QStringLiteral("ws://192.168.1.20:26632")));
    QVERIFY(label->isVisible());
    QCOMPARE(label->text(), QStringLiteral("Others join at ws://192.168.1.20:26632"));
}

void TestChatWindow::scrollingToTheTopFetchesOlderHistory()
{
    m_server.reset();
    m_server = startServer(0, 5);
    ChatClient writer;
    writer.open(m_server->url(), QStringLiteral("writer"));
    QTRY_COMPARE(writer.state(), ChatClient::State::Joined);
    for (int i = 1; i <= 15; ++i)
        writer.sendMessage(QStringLiteral("message %1").arg(i));
    QTRY_COMPARE(writer.outboxSize(), 0);

    ChatClient reader;
    ChatWindow window(&reader);
    window.resize(500, 260); // small, so that five messages already scroll
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy older(&reader, &ChatClient::olderLoaded);
    reader.open(m_server->url(), QStringLiteral("reader"));
    QTRY_COMPARE(reader.state(), ChatClient::State::Joined);
    QCOMPARE(reader.messages()->chatCount(), 5);
    MessageView *view = window.messageView();
    QTRY_VERIFY(view->verticalScrollBar()->maximum() > 0);
    QTRY_COMPARE(view->verticalScrollBar()->value(), view->verticalScrollBar()->maximum());

    view->scrollToTop();
    QTRY_COMPARE(older.size(), 1);
    QCOMPARE(reader.messages()->chatCount(), 15);
    // The page went in above without throwing the reader to its top.
    QTRY_VERIFY(view->verticalScrollBar()->value() > 0);
    QVERIFY(view->indexAt(QPoint(10, 1)).row() > 0);
}

QTEST_MAIN(TestChatWindow)
#include "tst_chatwindow.moc"
