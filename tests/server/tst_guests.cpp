// Plain WebSocket clients (no subprotocol, the few lines every tutorial shows) join as
// guests: each text frame is a chat message from them, they get every room message, their
// own included, as `nick: text`, and join/leave as sentences. Same limits, same history.
// And the room's port answers plain HTTP with its web client.
#include "server/room.h"
#include "serverfixture.h"
#include "testclient.h"

#include <QJsonArray>
#include <QTcpSocket>

class TestGuests : public QObject
{
    Q_OBJECT

private:
    struct Guest
    {
        QWebSocket socket;
        QStringList lines;
        bool open(const QUrl &url)
        {
            QObject::connect(&socket, &QWebSocket::textMessageReceived,
                             [this](const QString &t) { lines.append(t); });
            QSignalSpy connected(&socket, &QWebSocket::connected);
            socket.open(url); // no subprotocol offered
            return connected.wait(5000) || !connected.isEmpty();
        }
    };

    static QByteArray httpGet(const QUrl &url, const QByteArray &request)
    {
        QTcpSocket s;
        s.connectToHost(url.host(), quint16(url.port()));
        if (!s.waitForConnected(5000))
            return {};
        s.write(request);
        QByteArray all;
        const bool closed = QTest::qWaitFor([&] {
            all += s.readAll();
            return s.state() == QAbstractSocket::UnconnectedState;
        }, 5000);
        if (!closed)
            qWarning("the server did not close the HTTP connection");
        return all + s.readAll();
    }

private Q_SLOTS:
    void guestChatsBothWays()
    {
        ServerFixture f;
        QVERIFY(f.start());
        TestClient alice;
        QVERIFY(!alice.join(f.url(), QStringLiteral("Alice")).isEmpty());
        alice.sendChat(QStringLiteral("a0"), QStringLiteral("earlier"));
        QVERIFY(!alice.waitFor(QStringLiteral("ack")).isEmpty());

        Guest guest;
        QVERIFY(guest.open(f.url()));
        QCOMPARE(guest.socket.subprotocol(), QString());
        // History, then a greeting naming who is here.
        QTRY_VERIFY(guest.lines.size() >= 2);
        QCOMPARE(guest.lines.at(0), QStringLiteral("Alice: earlier"));
        QVERIFY(guest.lines.at(1).contains(QStringLiteral("guest-1")));
        QVERIFY(guest.lines.at(1).contains(QStringLiteral("Alice")));
        QCOMPARE(alice.waitFor(QStringLiteral("joined")).value(QLatin1String("nick")).toString(),
                 QStringLiteral("guest-1"));

        guest.socket.sendTextMessage(QStringLiteral("안녕, I am a web page"));
        const QJsonObject chat = alice.waitFor(QStringLiteral("chat"));
        QCOMPARE(chat.value(QLatin1String("from")).toString(), QStringLiteral("guest-1"));
        QCOMPARE(chat.value(QLatin1String("text")).toString(), QStringLiteral("안녕, I am a web page"));
        // Its own message comes back to it: such a page shows only what it receives.
        QTRY_VERIFY(guest.lines.contains(QStringLiteral("guest-1: 안녕, I am a web page")));

        alice.sendChat(QStringLiteral("a1"), QStringLiteral("<b>hi</b> guest"));
        QTRY_VERIFY(guest.lines.contains(QStringLiteral("Alice: <b>hi</b> guest")));
        // Only chat and join/leave reach a guest: no JSON, no acks.
        for (const QString &line : std::as_const(guest.lines))
            QVERIFY2(!line.startsWith(QLatin1Char('{')), qPrintable(line));

        alice.socket.close();
        QTRY_VERIFY(guest.lines.contains(QStringLiteral("Alice left.")));

        // Stored like any other message.
        TestClient late;
        const QJsonArray history = late.join(f.url(), QStringLiteral("Late")).value(QLatin1String("history")).toArray();
        QCOMPARE(history.size(), 3);
        QCOMPARE(history.at(1).toObject().value(QLatin1String("from")).toString(), QStringLiteral("guest-1"));
        QTRY_VERIFY(guest.lines.contains(QStringLiteral("Late joined.")));
    }

    void guestsGetDistinctNames()
    {
        ServerFixture f;
        QVERIFY(f.start());
        TestClient squatter; // someone already calls themselves guest-1
        QVERIFY(!squatter.join(f.url(), QStringLiteral("guest-1")).isEmpty());
        Guest a, b;
        QVERIFY(a.open(f.url()));
        QVERIFY(b.open(f.url()));
        QTRY_VERIFY(!a.lines.isEmpty() && !b.lines.isEmpty());
        QVERIFY2(a.lines.first().contains(QStringLiteral("You are guest-2")), qPrintable(a.lines.first()));
        QVERIFY2(b.lines.first().contains(QStringLiteral("You are guest-3")), qPrintable(b.lines.first()));
    }

    void guestLimits()
    {
        ServerFixture f;
        QVERIFY(f.start());
        Guest longWinded;
        QVERIFY(longWinded.open(f.url()));
        longWinded.socket.sendTextMessage(QString(5000, QLatin1Char('x')));
        QTRY_VERIFY(std::any_of(longWinded.lines.cbegin(), longWinded.lines.cend(),
                                [](const QString &l) { return l.startsWith(QStringLiteral("error: ")); }));
        Guest flooder;
        QVERIFY(flooder.open(f.url()));
        QSignalSpy gone(&flooder.socket, &QWebSocket::disconnected);
        for (int i = 0; i < 100; ++i)
            flooder.socket.sendTextMessage(QStringLiteral("spam %1").arg(i));
        QVERIFY(gone.wait(5000) || !gone.isEmpty());
        QCOMPARE(int(flooder.socket.closeCode()), int(QWebSocketProtocol::CloseCodePolicyViolated));
    }

    void noGuestsInAPasswordRoom()
    {
        ServerFixture f;
        ServerConfig config;
        config.password = RoomPassword::fromPlainText(QStringLiteral("secret"));
        QVERIFY(f.start(config));
        Guest guest;
        QVERIFY(guest.open(f.url()));
        // (The refusal may come before open() returns: wait on the state, not a signal.)
        QTRY_COMPARE(guest.socket.state(), QAbstractSocket::UnconnectedState);
        QCOMPARE(int(guest.socket.closeCode()), int(Confab::Protocol::CloseCode::BadPassword));
        QCOMPARE(guest.lines.size(), 1);
        QVERIFY(guest.lines.first().startsWith(QStringLiteral("error: ")));
        QCOMPARE(f.server->room()->memberCount(), 0);
    }

    void fullRoomRefusesGuestBeforeGreeting()
    {
        ServerFixture f;
        ServerConfig config;
        config.maxClients = 1;
        QVERIFY(f.start(config));
        TestClient member;
        QVERIFY(!member.join(f.url(), QStringLiteral("Member")).isEmpty());
        Guest guest;
        QVERIFY(guest.open(f.url()));
        QTRY_COMPARE(guest.socket.state(), QAbstractSocket::UnconnectedState);
        QCOMPARE(int(guest.socket.closeCode()), int(Confab::Protocol::CloseCode::ServerFull));
        QCOMPARE(guest.lines.size(), 1); // the refusal, no greeting
        member.sendChat(QStringLiteral("m"), QStringLiteral("marker"));
        QVERIFY(!member.waitFor(QStringLiteral("chat")).isEmpty());
        QCOMPARE(member.ofType(QStringLiteral("joined")).size(), 0);
    }

    void webClientOverHttp()
    {
        ServerFixture f;
        QVERIFY(f.start());
        const QByteArray page = httpGet(f.url(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        QVERIFY2(page.startsWith("HTTP/1.1 200 OK"), page.left(200).constData());
        QVERIFY(page.contains("Content-Type: text/html"));
        QVERIFY(page.contains("Content-Security-Policy:"));
        QVERIFY(page.contains("<script src=\"/app.js\"></script>"));
        QVERIFY(httpGet(f.url(), "GET /app.js HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 200 OK"));
        QVERIFY(httpGet(f.url(), "GET /../etc/passwd HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 404"));
        QVERIFY(httpGet(f.url(), "POST / HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 405"));
        QVERIFY(httpGet(f.url(), "nonsense\r\n\r\n").startsWith("HTTP/1.1 400"));
        const QByteArray head = httpGet(f.url(), "HEAD / HTTP/1.1\r\n\r\n");
        QVERIFY(head.startsWith("HTTP/1.1 200 OK"));
        QVERIFY(head.endsWith("\r\n\r\n"));
        // And WebSocket still works on the same port afterwards; nothing leaked.
        TestClient a;
        QVERIFY(!a.join(f.url(), QStringLiteral("After")).isEmpty());
        a.socket.close();
        QTRY_COMPARE(f.server->connectionCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestGuests)
#include "tst_guests.moc"
