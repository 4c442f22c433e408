// The room host on loopback with real WebSocket clients: broadcast reaches everyone in one
// order, join/leave, nickname clashes, the sender is always the session, oversize frames
// close with 1009, bad input gets an error and the sender chats on afterwards.
#include "common/limits.h"
#include "serverfixture.h"
#include "server/room.h"
#include "testclient.h"

#include <QJsonArray>

using namespace Confab::Protocol;

class TestRoomServer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void broadcastInOrder()
    {
        ServerFixture f;
        QVERIFY(f.start());
        TestClient a, b, c;
        QVERIFY(!a.join(f.url(), QStringLiteral("Alice")).isEmpty());
        QVERIFY(!b.join(f.url(), QStringLiteral("Bob")).isEmpty());
        QVERIFY(!c.join(f.url(), QStringLiteral("민수")).isEmpty());
        for (int i = 0; i < 20; ++i) {
            a.sendChat(QStringLiteral("a%1").arg(i), QStringLiteral("from a %1").arg(i));
            b.sendChat(QStringLiteral("b%1").arg(i), QStringLiteral("from b %1").arg(i));
            c.sendChat(QStringLiteral("c%1").arg(i), QStringLiteral("안녕 %1").arg(i));
        }
        for (TestClient *client : { &a, &b, &c })
            QTRY_COMPARE(client->ofType(QStringLiteral("chat")).size(), 60);

        // Same frames, same order, for everyone; seq strictly increasing.
        const QList<QJsonObject> seen = a.ofType(QStringLiteral("chat"));
        QCOMPARE(b.ofType(QStringLiteral("chat")), seen);
        QCOMPARE(c.ofType(QStringLiteral("chat")), seen);
        qint64 last = 0;
        QHash<QString, int> perSender;
        for (const QJsonObject &m : seen) {
            const qint64 seq = m.value(QLatin1String("seq")).toInteger();
            QVERIFY(seq > last);
            last = seq;
            QVERIFY(!m.value(QLatin1String("id")).toString().isEmpty());
            QVERIFY(parseTime(m.value(QLatin1String("time")).toString()).isValid());
            // Each sender's messages arrive in the order it sent them.
            const QString from = m.value(QLatin1String("from")).toString();
            const QString text = m.value(QLatin1String("text")).toString();
            const int n = perSender[from]++;
            QVERIFY(text.endsWith(QStringLiteral(" %1").arg(n)));
        }
        QCOMPARE(perSender.value(QStringLiteral("민수")), 20);
        // Each sender got one ack per message.
        QCOMPARE(a.ofType(QStringLiteral("ack")).size(), 20);
    }

    void joinAndLeave()
    {
        ServerFixture f;
        QVERIFY(f.start());
        TestClient a;
        QVERIFY(!a.join(f.url(), QStringLiteral("Alice")).isEmpty());
        {
            TestClient b;
            const QJsonObject welcome = b.join(f.url(), QStringLiteral("Bob"));
            QCOMPARE(welcome.value(QLatin1String("nick")).toString(), QStringLiteral("Bob"));
            QCOMPARE(welcome.value(QLatin1String("room")).toString(), QStringLiteral("Confab"));
            QCOMPARE(welcome.value(QLatin1String("members")).toArray().size(), 2);
            const QJsonObject joined = a.waitFor(QStringLiteral("joined"));
            QCOMPARE(joined.value(QLatin1String("nick")).toString(), QStringLiteral("Bob"));
            QCOMPARE(f.server->room()->memberCount(), 2);
            b.socket.close();
        }
        const QJsonObject left = a.waitFor(QStringLiteral("left"));
        QCOMPARE(left.value(QLatin1String("nick")).toString(), QStringLiteral("Bob"));
        QTRY_COMPARE(f.server->room()->memberCount(), 1);

        // The member list on request.
        a.sendJson(R"({"type":"members"})");
        const QJsonObject members = a.waitFor(QStringLiteral("members"));
        QCOMPARE(members.value(QLatin1String("members")).toArray().size(), 1);
    }

    void nicknameClash_data()
    {
        QTest::addColumn<QString>("second");
        QTest::newRow("same") << QStringLiteral("Alice");
        QTest::newRow("case") << QStringLiteral("alice");
        QTest::newRow("fullwidth") << QStringLiteral("ａｌｉｃｅ");
    }
    void nicknameClash()
    {
        QFETCH(QString, second);
        ServerFixture f;
        QVERIFY(f.start());
        TestClient a, b;
        QVERIFY(!a.join(f.url(), QStringLiteral("Alice")).isEmpty());
        QVERIFY(b.open(f.url()));
        b.sendHello(second);
        const QJsonObject error = b.waitFor(QStringLiteral("error"));
        QCOMPARE(error.value(QLatin1String("code")).toString(), QStringLiteral("nick-taken"));
        QVERIFY(error.value(QLatin1String("message")).toString().contains(QStringLiteral("Alice")));
        // The connection stays open: another nickname works.
        b.sendHello(QStringLiteral("Bob"));
        QVERIFY(!b.waitFor(QStringLiteral("welcome")).isEmpty());
    }

    void invisibleNicknameRefused()
    {
        ServerFixture f;
        QVERIFY(f.start());
        TestClient b;
        QVERIFY(b.open(f.url()));
        b.sendHello(QStringLiteral("alice\u200b"));
        QCOMPARE(b.waitFor(QStringLiteral("error")).value(QLatin1String("code")).toString(),
                 QStringLiteral("nick-invalid"));
    }

    void senderIsTheSession()
    {
        ServerFixture f;
        QVERIFY(f.start());
        TestClient a, b;
        QVERIFY(!a.join(f.url(), QStringLiteral("Alice")).isEmpty());
        QVERIFY(!b.join(f.url(), QStringLiteral("Mallory")).isEmpty());
        b.sendJson(R"({"type":"chat","clientId":"x","text":"I am Alice","from":"Alice"})");
        const QJsonObject chat = a.waitFor(QStringLiteral("chat"));
        QCOMPARE(chat.value(QLatin1String("from")).toString(), QStringLiteral("Mallory"));
    }

    void oversizeFrameCloses1009()
    {
        ServerFixture f;
        QVERIFY(f.start());
        TestClient a, big;
        QVERIFY(!a.join(f.url(), QStringLiteral("Alice")).isEmpty());
        QVERIFY(!big.join(f.url(), QStringLiteral("Big")).isEmpty());
        QSignalSpy closed(&big.socket, &QWebSocket::disconnected);
        big.socket.sendTextMessage(QString(int(Confab::Limits::MaxFrameBytes) + 1, QLatin1Char('x')));
        QVERIFY(closed.wait(5000));
        QCOMPARE(big.socket.closeCode(), QWebSocketProtocol::CloseCodeTooMuchData);
        // Everyone else carries on.
        a.sendChat(QStringLiteral("1"), QStringLiteral("still here"));
        QVERIFY(!a.waitFor(QStringLiteral("ack")).isEmpty());
    }

    void badInputThenChat_data()
    {
        QTest::addColumn<QByteArray>("frame");
        QTest::addColumn<QString>("code");
        QTest::newRow("bad json") << QByteArray("{oops") << QStringLiteral("bad-json");
        QTest::newRow("unknown type") << QByteArray(R"({"type":"dance"})") << QStringLiteral("unknown-type");
        QTest::newRow("wrong type") << QByteArray(R"({"type":"chat","clientId":1,"text":"x"})")
                                    << QStringLiteral("bad-message");
        QTest::newRow("duplicate key")
            << QByteArray(R"({"type":"chat","clientId":"a","text":"x","text":"y"})")
            << QStringLiteral("bad-json");
        QTest::newRow("second hello") << QByteArray(R"({"type":"hello","version":1,"nick":"Z"})")
                                      << QStringLiteral("already-joined");
        QTest::newRow("empty text") << QByteArray(R"({"type":"chat","clientId":"e","text":"  \n"})")
                                    << QStringLiteral("text-empty");
    }
    void badInputThenChat()
    {
        QFETCH(QByteArray, frame);
        QFETCH(QString, code);
        ServerFixture f;
        QVERIFY(f.start());
        TestClient a, other;
        QVERIFY(!a.join(f.url(), QStringLiteral("Alice")).isEmpty());
        QVERIFY(!other.join(f.url(), QStringLiteral("Other")).isEmpty());
        a.sendJson(frame);
        const QJsonObject error = a.waitFor(QStringLiteral("error"));
        QCOMPARE(error.value(QLatin1String("code")).toString(), code);
        QVERIFY(!error.value(QLatin1String("message")).toString().isEmpty());
        a.sendChat(QStringLiteral("after"), QStringLiteral("still fine"));
        QVERIFY(!a.waitFor(QStringLiteral("ack")).isEmpty());
        QCOMPARE(other.waitFor(QStringLiteral("chat")).value(QLatin1String("text")).toString(),
                 QStringLiteral("still fine"));
        QVERIFY(!a.disconnected);
    }

    void chatBeforeHello()
    {
        ServerFixture f;
        QVERIFY(f.start());
        TestClient a;
        QVERIFY(a.open(f.url()));
        a.sendChat(QStringLiteral("x"), QStringLiteral("hi"));
        QCOMPARE(a.waitFor(QStringLiteral("error")).value(QLatin1String("code")).toString(),
                 QStringLiteral("not-joined"));
    }

    void textTooLongRefusedWithClientId()
    {
        ServerFixture f;
        QVERIFY(f.start());
        TestClient a;
        QVERIFY(!a.join(f.url(), QStringLiteral("Alice")).isEmpty());
        a.sendChat(QStringLiteral("long"), QString(Confab::Limits::MaxTextLength + 1, QLatin1Char('y')));
        const QJsonObject error = a.waitFor(QStringLiteral("error"));
        QCOMPARE(error.value(QLatin1String("code")).toString(), QStringLiteral("text-too-long"));
        QCOMPARE(error.value(QLatin1String("clientId")).toString(), QStringLiteral("long"));
        a.sendChat(QStringLiteral("max"), QString(Confab::Limits::MaxTextLength, QLatin1Char('y')));
        QCOMPARE(a.waitFor(QStringLiteral("ack")).value(QLatin1String("clientId")).toString(),
                 QStringLiteral("max"));
    }

    void versionMismatchCloses()
    {
        ServerFixture f;
        QVERIFY(f.start());
        TestClient a;
        QVERIFY(a.open(f.url()));
        QSignalSpy closed(&a.socket, &QWebSocket::disconnected);
        a.sendJson(R"({"type":"hello","version":2,"nick":"Future"})");
        QCOMPARE(a.waitFor(QStringLiteral("error")).value(QLatin1String("code")).toString(),
                 QStringLiteral("version-mismatch"));
        QVERIFY(closed.wait(5000) || closed.size() > 0);
        QCOMPARE(int(a.socket.closeCode()), int(CloseCode::VersionMismatch));
    }

    void helloTimeout()
    {
        ServerFixture f;
        ServerConfig config;
        config.helloTimeoutMs = 200;
        QVERIFY(f.start(config));
        TestClient a;
        QVERIFY(a.open(f.url()));
        QTRY_VERIFY(a.disconnected);
        QCOMPARE(int(a.socket.closeCode()), int(CloseCode::HelloTimeout));
    }

    void resumeTokenReplacesStaleConnection()
    {
        ServerFixture f;
        QVERIFY(f.start());
        TestClient watcher, first, second, thief;
        QVERIFY(!watcher.join(f.url(), QStringLiteral("Watcher")).isEmpty());
        const QJsonObject welcome = first.join(f.url(), QStringLiteral("Alice"));
        const QString token = welcome.value(QLatin1String("resumeToken")).toString();
        QVERIFY(!token.isEmpty());
        // A wrong token does not take the nickname.
        QVERIFY(thief.open(f.url()));
        thief.sendHello(QStringLiteral("Alice"), -1, QStringLiteral("guess"));
        QCOMPARE(thief.waitFor(QStringLiteral("error")).value(QLatin1String("code")).toString(),
                 QStringLiteral("nick-taken"));
        // The right one does, and the old connection is closed with 4002.
        QVERIFY(second.open(f.url()));
        second.sendHello(QStringLiteral("Alice"), 0, token);
        QVERIFY(!second.waitFor(QStringLiteral("welcome")).isEmpty());
        QTRY_VERIFY(first.disconnected);
        QCOMPARE(int(first.socket.closeCode()), int(CloseCode::Replaced));
        QCOMPARE(f.server->room()->memberCount(), 2);
        second.sendChat(QStringLiteral("r"), QStringLiteral("back"));
        QCOMPARE(watcher.waitFor(QStringLiteral("chat")).value(QLatin1String("from")).toString(),
                 QStringLiteral("Alice"));
        // No leave/join noise for the replaced connection.
        QCOMPARE(watcher.ofType(QStringLiteral("left")).size(), 0);
    }

    void portInUse()
    {
        ServerFixture first;
        QVERIFY(first.start());
        ServerFixture second;
        ServerConfig config;
        config.port = first.server->port();
        config.bindAddress = QHostAddress::LocalHost;
        second.server = std::make_unique<RoomServer>([&] {
            ServerConfig c = config;
            c.dataDir = second.dir.path();
            return c;
        }());
        QVERIFY(!second.server->start());
        QVERIFY(second.server->errorString().contains(QString::number(config.port)));
    }

    void stopClosesWith1001()
    {
        ServerFixture f;
        QVERIFY(f.start());
        TestClient a, b;
        QVERIFY(!a.join(f.url(), QStringLiteral("Alice")).isEmpty());
        QVERIFY(b.open(f.url())); // not joined yet
        QSignalSpy stopped(f.server.get(), &RoomServer::stopped);
        f.server->stop();
        QVERIFY(stopped.wait(5000) || stopped.size() > 0);
        QTRY_VERIFY(a.disconnected && b.disconnected);
        QCOMPARE(a.socket.closeCode(), QWebSocketProtocol::CloseCodeGoingAway);
        QCOMPARE(b.socket.closeCode(), QWebSocketProtocol::CloseCodeGoingAway);
    }
};

QTEST_GUILESS_MAIN(TestRoomServer)
#include "tst_roomserver.moc"
