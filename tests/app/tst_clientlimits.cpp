// The client against the server's limits: a burst over the rate limit is delayed, never
// lost or doubled; a refused message stays, marked failed with the reason; a room password
// lets the right people in and stops the client for good on a wrong one.
#include "app/core/chatclient.h"
#include "common/limits.h"
#include "common/messagemodel.h"
#include "server/historystore.h"
#include "server/room.h"
#include "server/roomserver.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

class TestClientLimits : public QObject
{
    Q_OBJECT

private:
    struct Server
    {
        QTemporaryDir dir;
        std::unique_ptr<RoomServer> server;
        bool start(ServerConfig config = {})
        {
            config.bindAddress = QHostAddress::LocalHost;
            config.port = 0;
            config.dataDir = dir.path();
            server = std::make_unique<RoomServer>(config);
            return server->start();
        }
        QUrl url() const { return server->url(); }
    };

    static int rowsWithStatus(const MessageModel *model, MessageModel::Status status)
    {
        int n = 0;
        for (int i = 0; i < model->rowCount(); ++i) {
            const QModelIndex index = model->index(i);
            if (index.data(MessageModel::KindRole).value<MessageModel::Kind>() == MessageModel::Kind::Chat
                && index.data(MessageModel::StatusRole).value<MessageModel::Status>() == status)
                ++n;
        }
        return n;
    }

private Q_SLOTS:
    void burstOverTheRateIsDelayedNotLost()
    {
        Server s;
        QVERIFY(s.start()); // 5 per second after a burst of 20
        ChatClient client;
        QSignalSpy joined(&client, &ChatClient::joined);
        client.open(s.url(), QStringLiteral("Burst"));
        QVERIFY(joined.wait(5000));
        QSignalSpy errors(&client, &ChatClient::errorReceived);
        // A paste of 60 lines: more than the burst and more than the server tolerates
        // from a client that ignores its rate-limit errors.
        for (int i = 1; i <= 60; ++i)
            client.sendMessage(QStringLiteral("message %1").arg(i));
        QTRY_COMPARE_WITH_TIMEOUT(client.outboxSize(), 0, 30000);
        QVERIFY(!errors.isEmpty()); // the limit was hit...
        QCOMPARE(rowsWithStatus(client.messages(), MessageModel::Status::Failed), 0); // ...and nothing lost
        QCOMPARE(client.messages()->chatCount(), 60);
        QCOMPARE(client.state(), ChatClient::State::Joined);

        // Stored exactly once each, whatever was resent.
        ChatClient late;
        QSignalSpy lateJoined(&late, &ChatClient::joined);
        late.open(s.url(), QStringLiteral("Late"));
        QVERIFY(lateJoined.wait(5000));
        QCOMPARE(late.messages()->chatCount(), 60);
        QCOMPARE(late.messages()->lastSeq(), 60);
        // In the order they were typed.
        for (int i = 0; i < late.messages()->rowCount(); ++i) {
            const QModelIndex index = late.messages()->index(i);
            if (index.data(MessageModel::KindRole).value<MessageModel::Kind>() == MessageModel::Kind::Chat)
                QCOMPARE(index.data(MessageModel::TextRole).toString(),
                         QStringLiteral("message %1").arg(index.data(MessageModel::SeqRole).toLongLong()));
        }
    }

    void refusedMessageStaysMarkedFailed()
    {
        Server s;
        QVERIFY(s.start());
        ChatClient client;
        QSignalSpy joined(&client, &ChatClient::joined);
        client.open(s.url(), QStringLiteral("Writer"));
        QVERIFY(joined.wait(5000));
        client.sendMessage(QString(Confab::Limits::MaxTextLength + 1, QLatin1Char('x')));
        QTRY_COMPARE(rowsWithStatus(client.messages(), MessageModel::Status::Failed), 1);
        QCOMPARE(client.outboxSize(), 0);
        const MessageModel *m = client.messages();
        bool found = false;
        for (int i = 0; i < m->rowCount(); ++i) {
            if (m->index(i).data(MessageModel::StatusRole).value<MessageModel::Status>() == MessageModel::Status::Failed) {
                QVERIFY(m->index(i).data(MessageModel::ErrorRole).toString().contains(QString::number(Confab::Limits::MaxTextLength)));
                found = true;
            }
        }
        QVERIFY(found);
    }

    void password()
    {
        Server s;
        ServerConfig config;
        config.password = RoomPassword::fromPlainText(QStringLiteral("열려라 참깨"));
        QVERIFY(s.start(config));

        ChatClient wrong;
        wrong.setPassword(QStringLiteral("open sesame"));
        QSignalSpy errors(&wrong, &ChatClient::errorReceived);
        wrong.open(s.url(), QStringLiteral("Guesser"));
        QTRY_VERIFY(!errors.isEmpty());
        QCOMPARE(errors.first().at(0).toString(), QStringLiteral("bad-password"));
        QVERIFY(errors.first().at(2).toBool()); // fatal: no retrying with the same password
        QTRY_COMPARE(wrong.state(), ChatClient::State::Disconnected);

        ChatClient right;
        right.setPassword(QStringLiteral("열려라 참깨"));
        QSignalSpy joined(&right, &ChatClient::joined);
        right.open(s.url(), QStringLiteral("Member"));
        QVERIFY(joined.wait(5000));
    }
};

QTEST_MAIN(TestClientLimits)
#include "tst_clientlimits.moc"
