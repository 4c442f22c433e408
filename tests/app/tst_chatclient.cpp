// ChatClient against a real RoomServer on 127.0.0.1: joining and sending, coming back on
// its own after the room restarts, keeping what was typed while the room was away, and
// paging in older history.

#include "app/core/chatclient.h"
#include "common/messagemodel.h"
#include "server/roomserver.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using Kind = MessageModel::Kind;
using Status = MessageModel::Status;

namespace {

// The row showing `text`, or -1.
int findRow(const MessageModel *model, const QString &text)
{
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row).data(MessageModel::TextRole).toString() == text)
            return row;
    }
    return -1;
}

Status statusOf(const MessageModel *model, const QString &text)
{
    const int row = findRow(model, text);
    return row < 0 ? Status::Failed
                   : model->index(row).data(MessageModel::StatusRole).value<Status>();
}

bool hasInfoContaining(const MessageModel *model, const QString &part)
{
    for (int row = 0; row < model->rowCount(); ++row) {
        const QModelIndex index = model->index(row);
        if (index.data(MessageModel::KindRole).value<Kind>() == Kind::Info
            && index.data(MessageModel::TextRole).toString().contains(part))
            return true;
    }
    return false;
}

} // namespace

class TestChatClient final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void joinsAndSends();
    void reconnectsAfterTheRoomRestarts();
    void keepsWhatWasTypedWhileAway();
    void saysWhyItCannotConnect();
    void pagesInOlderHistory();

private:
    std::unique_ptr<RoomServer> startServer(quint16 port = 0, int welcomeHistory = 100);
    std::unique_ptr<ChatClient> joinedClient(const QString &nick);

    std::unique_ptr<QTemporaryDir> m_dataDir;
    std::unique_ptr<RoomServer> m_server;
};

void TestChatClient::init()
{
    m_dataDir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dataDir->isValid());
    m_server = startServer();
    QVERIFY(m_server);
}

void TestChatClient::cleanup()
{
    m_server.reset();
    m_dataDir.reset();
}

std::unique_ptr<RoomServer> TestChatClient::startServer(quint16 port, int welcomeHistory)
{
    ServerConfig config;
    config.bindAddress = QHostAddress::LocalHost;
    config.port = port;
    config.roomName = QStringLiteral("Test room");
    config.dataDir = m_dataDir->path();
    config.welcomeHistory = welcomeHistory;
    auto server = std::make_unique<RoomServer>(config);
    if (!server->start()) {
        qWarning("cannot start the room: %s", qPrintable(server->errorString()));
        return nullptr;
    }
    return server;
}

std::unique_ptr<ChatClient> TestChatClient::joinedClient(const QString &nick)
{
    auto client = std::make_unique<ChatClient>();
    client->setBackoff(Backoff(50, 200, 1));
    client->open(m_server->url(), nick);
    if (!QTest::qWaitFor([&] { return client->state() == ChatClient::State::Joined; }, 10000))
        return nullptr;
    return client;
}

void TestChatClient::joinsAndSends()
{
    auto client = joinedClient(QStringLiteral("alice"));
    QVERIFY(client);
    QCOMPARE(client->roomName(), QStringLiteral("Test room"));
    QVERIFY(hasInfoContaining(client->messages(), QStringLiteral("Test room")));
    QSignalSpy acked(client.get(), &ChatClient::messageAcked);
    const QString clientId = client->sendMessage(QStringLiteral("hello"));
    QCOMPARE(statusOf(client->messages(), QStringLiteral("hello")), Status::Sending);
    QTRY_COMPARE(acked.size(), 1);
    QCOMPARE(acked.at(0).at(0).toString(), clientId);
    QCOMPARE(statusOf(client->messages(), QStringLiteral("hello")), Status::Delivered);
    QCOMPARE(client->outboxSize(), 0);
}

void TestChatClient::reconnectsAfterTheRoomRestarts()
{
    auto client = joinedClient(QStringLiteral("alice"));
    QVERIFY(client);
    QSignalSpy joined(client.get(), &ChatClient::joined);
    QSignalSpy scheduled(client.get(), &ChatClient::reconnectScheduled);
    const quint16 port = m_server->port();

    m_server.reset();
    QTRY_VERIFY(scheduled.size() >= 1);
    QVERIFY(client->state() != ChatClient::State::Joined);
    QVERIFY(hasInfoContaining(client->messages(), QStringLiteral("lost")));
    // While the room is away the client keeps trying (connection refused, retry...).
    QTRY_VERIFY(scheduled.size() >= 2);
    QVERIFY(client->state() != ChatClient::State::Disconnected);

    m_server = startServer(port);
    QVERIFY(m_server);
    QTRY_COMPARE_WITH_TIMEOUT(client->state(), ChatClient::State::Joined, 10000);
    QCOMPARE(joined.size(), 1);
    QVERIFY(hasInfoContaining(client->messages(), QStringLiteral("Reconnected")));
    QVERIFY(client->errorString().isEmpty());
}

void TestChatClient::keepsWhatWasTypedWhileAway()
{
    auto client = joinedClient(QStringLiteral("alice"));
    QVERIFY(client);
    const quint16 port = m_server->port();
    m_server.reset();
    QTRY_VERIFY(client->state() != ChatClient::State::Joined);

    client->sendMessage(QStringLiteral("typed while away"));
    QCOMPARE(client->outboxSize(), 1);
    QCOMPARE(statusOf(client->messages(), QStringLiteral("typed while away")), Status::Sending);

    m_server = startServer(port);
    QVERIFY(m_server);
    QTRY_COMPARE_WITH_TIMEOUT(client->state(), ChatClient::State::Joined, 10000);
    QTRY_COMPARE(client->outboxSize(), 0);
    QCOMPARE(statusOf(client->messages(), QStringLiteral("typed while away")), Status::Delivered);

    // It reached the room, not just this client's model.
    auto other = joinedClient(QStringLiteral("bob"));
    QVERIFY(other);
    QTRY_VERIFY(findRow(other->messages(), QStringLiteral("typed while away")) >= 0);
}

void TestChatClient::saysWhyItCannotConnect()
{
    const quint16 port = m_server->port();
    m_server.reset();
    ChatClient client;
    client.setBackoff(Backoff(50, 200, 1));
    QSignalSpy scheduled(&client, &ChatClient::reconnectScheduled);
    client.open(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(port)), QStringLiteral("alice"));
    QTRY_VERIFY(scheduled.size() >= 1);
    QVERIFY(!client.errorString().isEmpty());
    client.close();
    QCOMPARE(client.state(), ChatClient::State::Disconnected);
}

void TestChatClient::pagesInOlderHistory()
{
    m_server.reset();
    m_server = startServer(0, 5);
    QVERIFY(m_server);
    auto writer = joinedClient(QStringLiteral("writer"));
    QVERIFY(writer);
    // Few enough to stay inside the room's flood limit.
    for (int i = 1; i <= 15; ++i)
        writer->sendMessage(QStringLiteral("message %1").arg(i));
    QTRY_COMPARE(writer->outboxSize(), 0);

    auto reader = joinedClient(QStringLiteral("reader"));
    QVERIFY(reader);
    QVERIFY(reader->hasOlder());
    QCOMPARE(reader->messages()->chatCount(), 5);
    QCOMPARE(reader->messages()->firstSeq(), qint64(11));

    QSignalSpy older(reader.get(), &ChatClient::olderLoaded);
    reader->requestOlder(100);
    QVERIFY(reader->isLoadingOlder());
    reader->requestOlder(100); // one page at a time
    QTRY_COMPARE(older.size(), 1);
    QCOMPARE(older.at(0).at(0).toInt(), 10);
    QCOMPARE(reader->messages()->chatCount(), 15);
    QVERIFY(!reader->hasOlder());
    QCOMPARE(reader->messages()->index(0).data(MessageModel::TextRole).toString(),
             QStringLiteral("message 1"));
}

QTEST_GUILESS_MAIN(TestChatClient)
#include "tst_chatclient.moc"
