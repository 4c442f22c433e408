// History through the protocol: a late joiner gets the last 100 and pages back to the first;
// a resent clientId is stored once and acked twice; a client that reconnects with its last
// seq gets exactly what it missed; batches stay inside the frame budget.
#include "common/limits.h"
#include "serverfixture.h"
#include "testclient.h"

#include <QJsonArray>

using namespace Confab::Protocol;

class TestHistory : public QObject
{
    Q_OBJECT

private:
    // These tests send hundreds of messages at once; the rate limit has its own tests.
    static ServerConfig unlimited()
    {
        ServerConfig config;
        config.maxRate = 0;
        return config;
    }
    static void send(TestClient &client, int count, const QString &prefix)
    {
        for (int i = 1; i <= count; ++i)
            client.sendChat(QStringLiteral("%1-%2").arg(prefix).arg(i), QStringLiteral("%1 %2").arg(prefix).arg(i));
        QTRY_COMPARE(client.ofType(QStringLiteral("ack")).size(), count);
    }
    static QList<qint64> seqs(const QJsonArray &messages)
    {
        QList<qint64> list;
        for (const QJsonValue &v : messages)
            list.append(v.toObject().value(QLatin1String("seq")).toInteger());
        return list;
    }

private Q_SLOTS:
    void lateJoinerPagesBackToFirst()
    {
        ServerFixture f;
        QVERIFY(f.start(unlimited()));
        TestClient writer;
        QVERIFY(!writer.join(f.url(), QStringLiteral("Writer")).isEmpty());
        send(writer, 250, QStringLiteral("m"));

        TestClient late;
        const QJsonObject welcome = late.join(f.url(), QStringLiteral("Late"));
        QJsonArray history = welcome.value(QLatin1String("history")).toArray();
        QCOMPARE(history.size(), 100);
        QVERIFY(welcome.value(QLatin1String("hasOlder")).toBool());
        QCOMPARE(history.first().toObject().value(QLatin1String("text")).toString(), QStringLiteral("m 151"));
        QCOMPARE(history.last().toObject().value(QLatin1String("text")).toString(), QStringLiteral("m 250"));
        QCOMPARE(welcome.value(QLatin1String("lastSeq")).toInteger(), 250);

        QList<qint64> all = seqs(history);
        bool more = true;
        for (int page = 0; more && page < 10; ++page) {
            late.sendJson(QStringLiteral(R"({"type":"history","before":%1,"limit":100})").arg(all.first()).toUtf8());
            const QJsonObject reply = late.waitFor(QStringLiteral("history"));
            const QList<qint64> got = seqs(reply.value(QLatin1String("messages")).toArray());
            QVERIFY(!got.isEmpty());
            all = got + all;
            more = reply.value(QLatin1String("hasMore")).toBool();
        }
        QVERIFY(!more);
        QCOMPARE(all.size(), 250);
        for (int i = 0; i < all.size(); ++i)
            QCOMPARE(all.at(i), qint64(i + 1));
    }

    void duplicateClientIdStoredOnceAckedTwice()
    {
        ServerFixture f;
        QVERIFY(f.start(unlimited()));
        TestClient a, b;
        QVERIFY(!a.join(f.url(), QStringLiteral("Alice")).isEmpty());
        QVERIFY(!b.join(f.url(), QStringLiteral("Bob")).isEmpty());
        a.sendChat(QStringLiteral("same-id"), QStringLiteral("only once"));
        a.sendChat(QStringLiteral("same-id"), QStringLiteral("only once"));
        QTRY_COMPARE(a.ofType(QStringLiteral("ack")).size(), 2);
        const QList<QJsonObject> acks = a.ofType(QStringLiteral("ack"));
        QCOMPARE(acks.at(0).value(QLatin1String("seq")), acks.at(1).value(QLatin1String("seq")));
        QCOMPARE(acks.at(0).value(QLatin1String("id")), acks.at(1).value(QLatin1String("id")));
        // A marker message proves everything before it has been delivered.
        a.sendChat(QStringLiteral("marker"), QStringLiteral("marker"));
        QTRY_COMPARE(b.ofType(QStringLiteral("chat")).size(), 2);
        QCOMPARE(b.ofType(QStringLiteral("chat")).first().value(QLatin1String("text")).toString(),
                 QStringLiteral("only once"));

        // Resent after a reconnect (new connection, same person): still once.
        const QString token = a.received.first().value(QLatin1String("resumeToken")).toString();
        TestClient again;
        QVERIFY(again.open(f.url()));
        again.sendHello(QStringLiteral("Alice"), 0, token);
        QVERIFY(!again.waitFor(QStringLiteral("welcome")).isEmpty());
        again.sendChat(QStringLiteral("same-id"), QStringLiteral("only once"));
        QCOMPARE(again.waitFor(QStringLiteral("ack")).value(QLatin1String("seq")),
                 acks.at(0).value(QLatin1String("seq")));
        TestClient fresh;
        const QJsonObject welcome = fresh.join(f.url(), QStringLiteral("Fresh"));
        QCOMPARE(welcome.value(QLatin1String("history")).toArray().size(), 2);
    }

    void resumeGetsExactlyWhatWasMissed()
    {
        ServerFixture f;
        QVERIFY(f.start(unlimited()));
        TestClient writer;
        QVERIFY(!writer.join(f.url(), QStringLiteral("Writer")).isEmpty());
        send(writer, 10, QStringLiteral("before"));

        qint64 lastSeq = 0;
        QString token;
        {
            TestClient reader;
            const QJsonObject welcome = reader.join(f.url(), QStringLiteral("Reader"));
            lastSeq = welcome.value(QLatin1String("lastSeq")).toInteger();
            token = welcome.value(QLatin1String("resumeToken")).toString();
            QCOMPARE(lastSeq, 10);
            reader.socket.abort();
        }
        for (int i = 1; i <= 50; ++i)
            writer.sendChat(QStringLiteral("missed-%1").arg(i), QStringLiteral("missed %1").arg(i));
        QTRY_COMPARE(writer.ofType(QStringLiteral("ack")).size(), 60);

        TestClient back;
        QVERIFY(back.open(f.url()));
        back.sendHello(QStringLiteral("Reader"), lastSeq, token);
        const QJsonObject welcome = back.waitFor(QStringLiteral("welcome"));
        const QJsonArray history = welcome.value(QLatin1String("history")).toArray();
        QCOMPARE(history.size(), 50);
        QVERIFY(!welcome.value(QLatin1String("hasNewer")).toBool());
        for (int i = 0; i < 50; ++i) {
            QCOMPARE(history.at(i).toObject().value(QLatin1String("seq")).toInteger(), 11 + i);
            QCOMPARE(history.at(i).toObject().value(QLatin1String("text")).toString(),
                     QStringLiteral("missed %1").arg(i + 1));
        }
    }

    void resumeBeyondOneFrame()
    {
        ServerFixture f;
        QVERIFY(f.start(unlimited()));
        TestClient writer;
        QVERIFY(!writer.join(f.url(), QStringLiteral("Writer")).isEmpty());
        const int total = Confab::Limits::MaxHistoryPage + 100;
        send(writer, total, QStringLiteral("m"));
        TestClient back;
        QVERIFY(back.open(f.url()));
        back.sendHello(QStringLiteral("Reader"), 0);
        const QJsonObject welcome = back.waitFor(QStringLiteral("welcome"));
        QVERIFY(welcome.value(QLatin1String("hasNewer")).toBool());
        QList<qint64> all = seqs(welcome.value(QLatin1String("history")).toArray());
        bool more = true;
        for (int page = 0; more && page < 10; ++page) {
            back.sendJson(QStringLiteral(R"({"type":"history","after":%1,"limit":500})").arg(all.last()).toUtf8());
            const QJsonObject reply = back.waitFor(QStringLiteral("history"));
            all += seqs(reply.value(QLatin1String("messages")).toArray());
            more = reply.value(QLatin1String("hasMore")).toBool();
        }
        QCOMPARE(all.size(), total);
        QCOMPARE(all.last(), qint64(total));
    }

    void batchesStayInsideTheFrameBudget()
    {
        ServerFixture f;
        QVERIFY(f.start(unlimited()));
        TestClient writer;
        QVERIFY(!writer.join(f.url(), QStringLiteral("Writer")).isEmpty());
        // 100 messages of 4000 Korean characters: about 1.2 MB as UTF-8.
        const QString longText(Confab::Limits::MaxTextLength, QChar(0xD55C));
        for (int i = 1; i <= 100; ++i)
            writer.sendChat(QStringLiteral("k%1").arg(i), longText);
        QTRY_COMPARE_WITH_TIMEOUT(writer.ofType(QStringLiteral("ack")).size(), 100, 10000);

        TestClient late;
        QString rawWelcome;
        connect(&late.socket, &QWebSocket::textMessageReceived, &late, [&](const QString &t) {
            if (rawWelcome.isEmpty())
                rawWelcome = t;
        });
        const QJsonObject welcome = late.join(f.url(), QStringLiteral("Late"));
        QVERIFY(welcome.value(QLatin1String("hasOlder")).toBool());
        const int kept = int(welcome.value(QLatin1String("history")).toArray().size());
        QVERIFY(kept > 0 && kept < 100);
        QVERIFY(rawWelcome.toUtf8().size() <= Confab::Limits::MaxBatchBytes);
        // The newest are the ones kept.
        QCOMPARE(welcome.value(QLatin1String("history")).toArray().last().toObject().value(QLatin1String("seq")).toInteger(), 100);
    }

    void historySurvivesRestart()
    {
        QTemporaryDir dir;
        ServerConfig config = unlimited();
        config.bindAddress = QHostAddress::LocalHost;
        config.port = 0;
        config.dataDir = dir.path();
        {
            RoomServer server(config);
            QVERIFY(server.start());
            TestClient a;
            QVERIFY(!a.join(server.url(), QStringLiteral("Alice")).isEmpty());
            send(a, 5, QStringLiteral("old"));
        }
        RoomServer server(config);
        QVERIFY(server.start());
        TestClient b;
        const QJsonObject welcome = b.join(server.url(), QStringLiteral("Bob"));
        QCOMPARE(welcome.value(QLatin1String("history")).toArray().size(), 5);
        b.sendChat(QStringLiteral("new"), QStringLiteral("new"));
        QCOMPARE(b.waitFor(QStringLiteral("ack")).value(QLatin1String("seq")).toInteger(), 6);
    }
};

QTEST_GUILESS_MAIN(TestHistory)
#include "tst_history.moc"
