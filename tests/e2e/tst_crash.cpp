// Issue #3's crash test, with real processes: a member streams 500 messages into a headless
// room; partway the server is killed with SIGKILL and restarted on the same port and data
// directory. Just before the kill, the acks stop reaching the client (the member talks through
// a TCP relay that drops them), so the server certainly holds messages the client still has
// in its outbox. Proves that (1) every message the server acked before the kill survives it,
// (2) the client keeps retrying while the room is down, reconnects on its own and resends its
// outbox, and the server stores each resend once, (3) a fresh member paging back through the
// history sees all 500 exactly once, in send order, and (4) the SQLite file passes
// `PRAGMA integrity_check` afterwards.

#include "app/core/chatclient.h"
#include "common/messagemodel.h"
#include "modelrows.h"
#include "serverprocess.h"
#include "tcpproxy.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <QElapsedTimer>
#include <QSet>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

namespace {
constexpr int Total = 500;
constexpr int KillAfterAcks = 200;
// Messages the server must have stored, and acked into the void, before it is killed. Kept
// below ChatClient's window of unacked sends (10), which stops it sending when acks stop.
constexpr int LostAcks = 5;
constexpr int SendIntervalMs = 4;

QString textOf(int i)
{
    return QStringLiteral("crash-test message %1 of %2").arg(i, 3, 10, QLatin1Char('0')).arg(Total);
}
} // namespace

class TestCrash final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void killedServerLosesNothingAcked();
};

void TestCrash::initTestCase()
{
    QVERIFY2(!ServerProcess::binary().isEmpty(), "CONFAB_BINARY is not set");
}

void TestCrash::killedServerLosesNothingAcked()
{
    QTemporaryDir dataDir;
    QVERIFY(dataDir.isValid());
    const auto arguments = [&](const QString &port) {
        return QStringList { QStringLiteral("--server"), QStringLiteral("--data-dir"),
                             dataDir.path(), QStringLiteral("--port"), port,
                             QStringLiteral("--bind"), QStringLiteral("127.0.0.1"),
                             // One message per 4 ms is far above a person's rate limit.
                             QStringLiteral("--max-rate"), QStringLiteral("0") };
    };

    auto first = std::make_unique<ServerProcess>();
    QVERIFY2(first->startServer(arguments(QStringLiteral("0"))),
             first->standardError().constData());
    const quint16 port = first->port();

    TcpProxy proxy(QHostAddress::LocalHost, port);
    QVERIFY(proxy.listen());
    QUrl url(QStringLiteral("ws://127.0.0.1"));
    url.setPort(proxy.port());
    // What the server said it acked (its promise of durability), whether or not the client
    // heard it.
    QSet<QString> serverAcked;
    connect(&proxy, &TcpProxy::serverTextFrame, this, [&serverAcked](const QByteArray &payload) {
        const QJsonObject o = QJsonDocument::fromJson(payload).object();
        if (o.value(QStringLiteral("type")).toString() == QLatin1String("ack"))
            serverAcked.insert(o.value(QStringLiteral("clientId")).toString());
    });

    ChatClient writer;
    writer.setBackoff(Backoff(50, 300));
    QSet<QString> acked;
    QHash<QString, int> indexOfClientId;
    connect(&writer, &ChatClient::messageAcked, this,
            [&acked](const QString &clientId, qint64) { acked.insert(clientId); });
    QSignalSpy joined(&writer, &ChatClient::joined);
    QSignalSpy fatal(&writer, &ChatClient::errorReceived);
    QSignalSpy reconnects(&writer, &ChatClient::reconnectScheduled);
    writer.open(url, QStringLiteral("writer"));
    QTRY_COMPARE_WITH_TIMEOUT(joined.size(), 1, 10000);

    // A steady stream, independent of the connection's fate: the user keeps typing.
    int sent = 0;
    QTimer typist;
    typist.setTimerType(Qt::PreciseTimer);
    typist.setInterval(SendIntervalMs);
    connect(&typist, &QTimer::timeout, this, [&] {
        if (sent == Total)
            return typist.stop();
        indexOfClientId.insert(writer.sendMessage(textOf(sent)), sent);
        ++sent;
    });
    typist.start();

    QTRY_VERIFY2_WITH_TIMEOUT(
        acked.size() >= KillAfterAcks,
        qPrintable(
            QStringLiteral("%1 acks heard, %2 sent by the server, %3 typed, outbox %4, state %5")
                .arg(acked.size())
                .arg(serverAcked.size())
                .arg(sent)
                .arg(writer.outboxSize())
                .arg(int(writer.state()))),
        20000);
    proxy.setServerDataDropped(true);
    QTRY_VERIFY2_WITH_TIMEOUT(serverAcked.size() >= acked.size() + LostAcks,
                              qPrintable(QStringLiteral("%1 acks sent, %2 heard, %3 typed")
                                             .arg(serverAcked.size())
                                             .arg(acked.size())
                                             .arg(sent)),
                              20000);
    first->kill();
    const QSet<QString> ackedBeforeKill = serverAcked;
    QVERIFY(first->waitForExit());
    QCOMPARE(first->exitStatus(), QProcess::CrashExit);
    const int sentAtKill = sent;
    const int heardAtKill = int(acked.size());
    QVERIFY2(sentAtKill < Total, "the stream ended before the kill; the test proves nothing");
    QVERIFY(ackedBeforeKill.contains(acked));
    first.reset();
    proxy.cut(TcpProxy::Cut::BothSides);
    proxy.setServerDataDropped(false);
    QElapsedTimer down;
    down.start();

    // The room stays down long enough for the client to be refused at least once: it must
    // keep trying on its own, not give up after one failed attempt.
    QTRY_VERIFY_WITH_TIMEOUT(reconnects.size() >= 3, 10000);

    // Same port, same data directory: the client finds the room where it was.
    ServerProcess second;
    QVERIFY2(second.startServer(arguments(QString::number(port))),
             second.standardError().constData());
    QCOMPARE(second.port(), port);

    QTRY_VERIFY_WITH_TIMEOUT(sent == Total && writer.outboxSize() == 0, 60000);
    QVERIFY2(joined.size() >= 2, "the client never rejoined");
    qInfo("killed after %d acks sent (%d heard) with %d typed; all %d acked %lld ms later, after "
          "%d reconnect attempts",
          int(ackedBeforeKill.size()), heardAtKill, sentAtKill, Total, down.elapsed(),
          int(reconnects.size()));
    QVERIFY2(fatal.isEmpty(),
             qPrintable(fatal.isEmpty() ? QString() : fatal.first().at(1).toString()));
    QCOMPARE(acked.size(), Total);
    QVERIFY(acked.contains(ackedBeforeKill));
    QCOMPARE(serverAcked.size(), Total);
    QVERIFY2(sent > sentAtKill, "nothing was typed while the server was down or after");

    // A newcomer pages back through everything: each text once, in the order typed.
    ChatClient reader;
    QSignalSpy readerJoined(&reader, &ChatClient::joined);
    QSignalSpy olderLoaded(&reader, &ChatClient::olderLoaded);
    reader.open(second.url(), QStringLiteral("reader"));
    QTRY_COMPARE_WITH_TIMEOUT(readerJoined.size(), 1, 10000);
    for (int page = 0; reader.hasOlder() && page < 50; ++page) {
        const qsizetype before = olderLoaded.size();
        reader.requestOlder(Total);
        QTRY_COMPARE_WITH_TIMEOUT(olderLoaded.size(), before + 1, 10000);
    }
    QVERIFY(!reader.hasOlder());

    const QList<ChatRow> rows = chatRows(*reader.messages());
    QStringList texts;
    for (qsizetype i = 0; i < rows.size(); ++i) {
        texts.append(rows[i].text);
        QCOMPARE(rows[i].from, QStringLiteral("writer"));
        if (i > 0)
            QVERIFY(rows[i].seq > rows[i - 1].seq);
    }
    QStringList expected;
    for (int i = 0; i < Total; ++i)
        expected.append(textOf(i));
    for (const QString &clientId : ackedBeforeKill)
        QVERIFY2(texts.contains(textOf(indexOfClientId.value(clientId))),
                 qPrintable(QStringLiteral("acked before the kill, lost: %1")
                                .arg(textOf(indexOfClientId.value(clientId)))));
    QCOMPARE(texts.size(), Total);
    QCOMPARE(texts, expected);

    // A clean stop, then the file itself: intact, and holding the same 500 rows.
    writer.close();
    reader.close();
    second.terminate();
    QVERIFY(second.waitForExit());
    QCOMPARE(second.exitStatus(), QProcess::NormalExit);
    QCOMPARE(second.exitCode(), 0);

    const QString connection = QStringLiteral("tst_crash-check");
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setDatabaseName(QDir(dataDir.path()).absoluteFilePath(QStringLiteral("history.sqlite")));
        QVERIFY2(db.open(), qPrintable(db.databaseName()));
        QString verdict;
        {
            QSqlQuery check(db);
            QVERIFY(check.exec(QStringLiteral("PRAGMA integrity_check")));
            QVERIFY(check.next());
            verdict = check.value(0).toString();
        }
        db.close();
        QCOMPARE(verdict, QStringLiteral("ok"));
    }
    QSqlDatabase::removeDatabase(connection);
}

QTEST_GUILESS_MAIN(TestCrash)
#include "tst_crash.moc"
