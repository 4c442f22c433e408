// Proves resume across a real network cut, against a real `confab --server` process: a
// member whose connection drops (through a TCP relay the test cuts and later restores on the
// same port) while another member sends 50 messages gets exactly those 50, in order, when it
// reconnects by itself, with nothing shown twice: the chat rows of its MessageModel have
// strictly increasing, contiguous seqs. Two ways of dropping: both ends see the cut (the
// server says the member left), and only the client does (the server still holds a stale,
// half-open session that the resume token must replace).

#include "app/core/chatclient.h"
#include "common/membermodel.h"
#include "common/messagemodel.h"
#include "modelrows.h"
#include "serverprocess.h"
#include "tcpproxy.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

namespace {
constexpr int Missed = 50;
constexpr int Before = 5;

// Empty when seqs run first, first+1, ...; else the first place they do not.
QString contiguityProblem(const QList<ChatRow> &rows)
{
    for (qsizetype i = 1; i < rows.size(); ++i) {
        if (rows[i].seq != rows[i - 1].seq + 1)
            return QStringLiteral("row %1 has seq %2 after %3")
                .arg(i)
                .arg(rows[i].seq)
                .arg(rows[i - 1].seq);
    }
    return {};
}
} // namespace

Q_DECLARE_METATYPE(TcpProxy::Cut)

class TestResumeProcess final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void missedMessagesArriveOnceInOrder_data();
    void missedMessagesArriveOnceInOrder();
};

void TestResumeProcess::initTestCase()
{
    QVERIFY2(!ServerProcess::binary().isEmpty(), "CONFAB_BINARY is not set");
}

void TestResumeProcess::missedMessagesArriveOnceInOrder_data()
{
    QTest::addColumn<TcpProxy::Cut>("cut");
    QTest::newRow("both sides see the cut") << TcpProxy::Cut::BothSides;
    QTest::newRow("half-open: only the client sees it") << TcpProxy::Cut::ClientSideOnly;
}

void TestResumeProcess::missedMessagesArriveOnceInOrder()
{
    QFETCH(TcpProxy::Cut, cut);

    QTemporaryDir dataDir;
    QVERIFY(dataDir.isValid());
    ServerProcess confab;
    QVERIFY2(confab.startServer({ QStringLiteral("--server"), QStringLiteral("--port"),
                                  QStringLiteral("0"), QStringLiteral("--bind"),
                                  QStringLiteral("127.0.0.1"), QStringLiteral("--data-dir"),
                                  dataDir.path(),
                                  // Ben sends 50 at once, above a person's rate limit.
                                  QStringLiteral("--max-rate"), QStringLiteral("0") }),
             confab.standardError().constData());

    TcpProxy proxy(QHostAddress::LocalHost, confab.port());
    QVERIFY(proxy.listen());
    QUrl viaProxy(QStringLiteral("ws://127.0.0.1"));
    viaProxy.setPort(proxy.port());

    ChatClient anna; // the one whose network goes away
    anna.setBackoff(Backoff(50, 300));
    QSignalSpy annaJoined(&anna, &ChatClient::joined);
    QSignalSpy annaErrors(&anna, &ChatClient::errorReceived);
    anna.open(viaProxy, QStringLiteral("anna"));
    QTRY_COMPARE_WITH_TIMEOUT(annaJoined.size(), 1, 10000);

    ChatClient ben;
    QSignalSpy benJoined(&ben, &ChatClient::joined);
    QSignalSpy benAcks(&ben, &ChatClient::messageAcked);
    ben.open(confab.url(), QStringLiteral("ben"));
    QTRY_COMPARE_WITH_TIMEOUT(benJoined.size(), 1, 10000);

    for (int i = 0; i < Before; ++i)
        ben.sendMessage(QStringLiteral("before %1").arg(i));
    QTRY_COMPARE(benAcks.size(), Before);
    QTRY_COMPARE(chatRows(*anna.messages()).size(), Before);

    // The network goes away and stays away until the 50 are sent.
    proxy.stopListening();
    proxy.cut(cut);
    QTRY_VERIFY(anna.state() != ChatClient::State::Joined);
    if (cut == TcpProxy::Cut::BothSides)
        QTRY_COMPARE(ben.members()->rowCount(), 1); // the server saw anna leave
    else
        QCOMPARE(ben.members()->rowCount(), 2); // the server still thinks she is there

    QStringList missed;
    for (int i = 0; i < Missed; ++i) {
        missed.append(QStringLiteral("missed %1").arg(i));
        ben.sendMessage(missed.last());
    }
    QTRY_COMPARE(benAcks.size(), Before + Missed);
    // Still cut off: anna cannot have seen any of it.
    QVERIFY(anna.state() != ChatClient::State::Joined);
    QCOMPARE(chatRows(*anna.messages()).size(), Before);
    // What she typed meanwhile waits in her outbox.
    anna.sendMessage(QStringLiteral("typed while offline"));
    QCOMPARE(anna.outboxSize(), 1);

    // From here on, every text frame the server sends through the relay is kept.
    QList<QJsonObject> frames;
    connect(&proxy, &TcpProxy::serverTextFrame, this, [&frames](const QByteArray &payload) {
        frames.append(QJsonDocument::fromJson(payload).object());
    });
    QVERIFY(proxy.listen(viaProxy.port()));
    QTRY_COMPARE_WITH_TIMEOUT(annaJoined.size(), 2, 15000);
    QTRY_COMPARE(anna.outboxSize(), 0);
    QTRY_COMPARE(chatRows(*anna.messages()).size(), Before + Missed + 1);

    // One live message after the resume, to see nothing is replayed a second time.
    ben.sendMessage(QStringLiteral("after"));
    QTRY_COMPARE(chatRows(*anna.messages()).size(), Before + Missed + 2);

    // On the wire: the rejoin carried exactly the 50 missed messages, once each, in order
    // (whether in the welcome, in `after` pages or as live chat), plus her own and "after".
    QStringList delivered;
    for (const QJsonObject &frame : std::as_const(frames)) {
        const QString type = frame.value(QStringLiteral("type")).toString();
        QJsonArray batch;
        if (type == QLatin1String("welcome"))
            batch = frame.value(QStringLiteral("history")).toArray();
        else if (type == QLatin1String("history"))
            batch = frame.value(QStringLiteral("messages")).toArray();
        else if (type == QLatin1String("chat"))
            batch.append(frame);
        for (const QJsonValue &m : std::as_const(batch))
            delivered.append(m.toObject().value(QStringLiteral("text")).toString());
    }
    const QStringList expected
        = missed + QStringList { QStringLiteral("typed while offline"), QStringLiteral("after") };
    QCOMPARE(delivered, expected);

    const QList<ChatRow> rows = chatRows(*anna.messages());
    const QString problem = contiguityProblem(rows);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QCOMPARE(rows.first().seq, 1);
    for (int i = 0; i < Missed; ++i) {
        QCOMPARE(rows[Before + i].text, missed[i]);
        QCOMPARE(rows[Before + i].from, QStringLiteral("ben"));
    }
    QCOMPARE(rows[Before + Missed].text, QStringLiteral("typed while offline"));
    QCOMPARE(rows[Before + Missed].from, QStringLiteral("anna"));
    QCOMPARE(rows[Before + Missed].status, MessageModel::Status::Delivered);
    QCOMPARE(rows.last().text, QStringLiteral("after"));
    QCOMPARE(anna.messages()->pendingCount(), 0);
    QVERIFY2(annaErrors.isEmpty(),
             qPrintable(annaErrors.isEmpty() ? QString() : annaErrors.first().at(1).toString()));
    // Ben sees her once, and she sees both of them.
    QTRY_COMPARE(ben.members()->rowCount(), 2);
    QTRY_COMPARE(anna.members()->rowCount(), 2);

    anna.close();
    ben.close();
    confab.terminate();
    QVERIFY(confab.waitForExit());
    QCOMPARE(confab.exitStatus(), QProcess::NormalExit);
    QCOMPARE(confab.exitCode(), 0);
}

QTEST_GUILESS_MAIN(TestResumeProcess)
#include "tst_resume_process.moc"
