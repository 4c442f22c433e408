// Proves that `confab --server` is a proper headless daemon, as a whole process: it runs with
// no display at all (no QT_QPA_PLATFORM, DISPLAY or WAYLAND_DISPLAY), announces its port on
// stdout, lets real WebSocket peers (speaking raw protocol-v1 JSON) join and chat with one
// order seen by everyone, logs timestamped join/leave lines to stderr, and on SIGTERM closes
// every client with 1001 and exits normally with code 0. Also: --help and --version need
// no display, and a port that is taken ends the process with a sentence naming the port.

#include "rawclient.h"
#include "serverprocess.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <vector>

namespace {

const QRegularExpression &timestampedLine()
{
    // The server's message pattern: 2026-11-22T09:30:00.123 message
    static const QRegularExpression re(
        QStringLiteral("^\\d{4}-\\d\\d-\\d\\d[T ]\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\s"));
    return re;
}

// The stderr lines that mention `word` (e.g. "joined") and `nick`, as whole words.
QStringList linesMentioning(const QByteArray &text, const QString &word, const QString &nick)
{
    const QRegularExpression re(
        QStringLiteral("\\b%1\\b.*\\b%2\\b")
            .arg(QRegularExpression::escape(word), QRegularExpression::escape(nick)));
    QStringList lines;
    for (const QString &line : QString::fromUtf8(text).split(QLatin1Char('\n'))) {
        if (re.match(line).hasMatch())
            lines.append(line);
    }
    return lines;
}

struct Said
{
    qint64 seq;
    QString from;
    QString text;
    friend bool operator==(const Said &, const Said &) = default;
};

QList<Said> chatsSeenBy(const RawClient &client)
{
    QList<Said> list;
    for (const QJsonObject &o : client.receivedOfType(QStringLiteral("chat"))) {
        list.append({ o.value(QStringLiteral("seq")).toInteger(),
                      o.value(QStringLiteral("from")).toString(),
                      o.value(QStringLiteral("text")).toString() });
    }
    return list;
}

} // namespace

class TestHeadless final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void helpAndVersionNeedNoDisplay_data();
    void helpAndVersionNeedNoDisplay();
    void roomChatsAndShutsDownOnSigterm();
    void takenPortIsReportedWithItsNumber();
};

void TestHeadless::initTestCase()
{
    QVERIFY2(!ServerProcess::binary().isEmpty(), "CONFAB_BINARY is not set");
    QVERIFY2(QFileInfo(ServerProcess::binary()).isExecutable(),
             qPrintable(ServerProcess::binary()));
    const QProcessEnvironment env = ServerProcess::headlessEnvironment();
    QVERIFY(!env.contains(QStringLiteral("QT_QPA_PLATFORM")));
    QVERIFY(!env.contains(QStringLiteral("DISPLAY")));
    QVERIFY(!env.contains(QStringLiteral("WAYLAND_DISPLAY")));
}

void TestHeadless::helpAndVersionNeedNoDisplay_data()
{
    QTest::addColumn<QString>("option");
    QTest::addColumn<QString>("expected");
    QTest::newRow("--help") << QStringLiteral("--help") << QStringLiteral("--server");
    QTest::newRow("--version") << QStringLiteral("--version") << QStringLiteral(CONFAB_VERSION);
}

void TestHeadless::helpAndVersionNeedNoDisplay()
{
    QFETCH(QString, option);
    QFETCH(QString, expected);
    ServerProcess confab;
    confab.startOnly({ option });
    QVERIFY2(confab.waitForExit(), "confab did not exit");
    QVERIFY2(confab.exitStatus() == QProcess::NormalExit, confab.standardError().constData());
    QCOMPARE(confab.exitCode(), 0);
    QVERIFY2(confab.standardOutput().contains(expected.toUtf8()),
             confab.standardOutput().constData());
}

void TestHeadless::roomChatsAndShutsDownOnSigterm()
{
    QTemporaryDir dataDir;
    QVERIFY(dataDir.isValid());
    ServerProcess confab;
    QVERIFY2(confab.startServer(
                 { QStringLiteral("--server"), QStringLiteral("--port"), QStringLiteral("0"),
                   QStringLiteral("--bind"), QStringLiteral("127.0.0.1"), QStringLiteral("--room"),
                   QStringLiteral("Lobby"), QStringLiteral("--data-dir"), dataDir.path() }),
             confab.standardError().constData());
    QCOMPARE(confab.url().host(), QStringLiteral("127.0.0.1"));

    const QStringList nicks { QStringLiteral("alice"), QStringLiteral("bob"),
                              QStringLiteral("carol") };
    std::vector<std::unique_ptr<RawClient>> clients;
    for (const QString &nick : nicks) {
        clients.push_back(std::make_unique<RawClient>());
        clients.back()->join(confab.url(), nick);
        // One at a time, so that every join line and joined message is deterministic.
        QTRY_VERIFY2_WITH_TIMEOUT(clients.back()->hasWelcome() || clients.back()->isDisconnected(),
                                  qPrintable(nick), 10000);
        QVERIFY2(clients.back()->hasWelcome(), qPrintable(nick));
        QCOMPARE(clients.back()->acceptedSubprotocol(), QStringLiteral("confab.v1"));
        const QJsonObject welcome = clients.back()->welcome();
        QCOMPARE(welcome.value(QStringLiteral("room")).toString(), QStringLiteral("Lobby"));
        QCOMPARE(welcome.value(QStringLiteral("nick")).toString(), nick);
        QCOMPARE(welcome.value(QStringLiteral("members")).toArray().size(),
                 qsizetype(clients.size()));
    }
    // Earlier members hear of later ones.
    QTRY_COMPARE(clients[0]->receivedOfType(QStringLiteral("joined")).size(), 2);
    QTRY_COMPARE(clients[1]->receivedOfType(QStringLiteral("joined")).size(), 1);

    // Everyone talks at once, interleaved, without waiting for anything (within the default
    // rate limit's burst, so that nothing is refused).
    constexpr int PerClient = 10;
    for (int i = 0; i < PerClient; ++i) {
        for (size_t c = 0; c < clients.size(); ++c)
            clients[c]->sendChat(QStringLiteral("%1-%2").arg(nicks[c]).arg(i),
                                 QStringLiteral("%1 says %2").arg(nicks[c]).arg(i));
    }
    const int total = PerClient * int(clients.size());
    for (size_t c = 0; c < clients.size(); ++c) {
        QTRY_COMPARE_WITH_TIMEOUT(clients[c]->receivedOfType(QStringLiteral("chat")).size(), total,
                                  15000);
        QTRY_COMPARE(clients[c]->receivedOfType(QStringLiteral("ack")).size(), PerClient);
        QVERIFY2(clients[c]->receivedOfType(QStringLiteral("error")).isEmpty(),
                 qPrintable(nicks[c]));
    }

    // One order for all: the same messages, the same seqs, strictly increasing; each
    // sender's messages in the order sent; the sender named by the server.
    const QList<Said> reference = chatsSeenBy(*clients[0]);
    for (size_t c = 1; c < clients.size(); ++c)
        QVERIFY2(chatsSeenBy(*clients[c]) == reference, qPrintable(nicks[c]));
    for (qsizetype i = 1; i < reference.size(); ++i)
        QVERIFY(reference[i].seq > reference[i - 1].seq);
    for (size_t c = 0; c < clients.size(); ++c) {
        int next = 0;
        for (const Said &said : reference) {
            if (said.from != nicks[c])
                continue;
            QCOMPARE(said.text, QStringLiteral("%1 says %2").arg(nicks[c]).arg(next));
            ++next;
        }
        QCOMPARE(next, PerClient);
        // Each ack names the clientId sent and the seq everyone saw for it.
        const QList<QJsonObject> acks = clients[c]->receivedOfType(QStringLiteral("ack"));
        for (int i = 0; i < PerClient; ++i) {
            QCOMPARE(acks[i].value(QStringLiteral("clientId")).toString(),
                     QStringLiteral("%1-%2").arg(nicks[c]).arg(i));
            const qint64 seq = acks[i].value(QStringLiteral("seq")).toInteger();
            const auto it = std::find_if(reference.cbegin(), reference.cend(),
                                         [&](const Said &s) { return s.seq == seq; });
            QVERIFY(it != reference.cend());
            QCOMPARE(it->text, QStringLiteral("%1 says %2").arg(nicks[c]).arg(i));
        }
    }

    // A fourth member comes and goes: timestamped join and leave lines on stderr.
    {
        RawClient dave;
        dave.join(confab.url(), QStringLiteral("dave"));
        QTRY_VERIFY(dave.hasWelcome());
        dave.socket().close();
        QTRY_VERIFY(dave.isDisconnected());
    }
    for (RawClient *c : { clients[0].get(), clients[1].get(), clients[2].get() })
        QTRY_COMPARE(c->receivedOfType(QStringLiteral("left")).size(), 1);
    for (const QString &nick : nicks + QStringList { QStringLiteral("dave") }) {
        QTRY_COMPARE(linesMentioning(confab.standardError(), QStringLiteral("joined"), nick).size(),
                     1);
        const QString line
            = linesMentioning(confab.standardError(), QStringLiteral("joined"), nick).constFirst();
        QVERIFY2(timestampedLine().match(line).hasMatch(), qPrintable(line));
    }
    QTRY_COMPARE(
        linesMentioning(confab.standardError(), QStringLiteral("left"), QStringLiteral("dave"))
            .size(),
        1);
    const QString leftLine
        = linesMentioning(confab.standardError(), QStringLiteral("left"), QStringLiteral("dave"))
              .constFirst();
    QVERIFY2(timestampedLine().match(leftLine).hasMatch(), qPrintable(leftLine));

    // SIGTERM: every client is told the server is going away (1001), then a clean exit.
    QSignalSpy finished(&confab.process(), &QProcess::finished);
    confab.terminate();
    for (size_t c = 0; c < clients.size(); ++c) {
        QTRY_VERIFY2_WITH_TIMEOUT(clients[c]->isDisconnected(), qPrintable(nicks[c]), 10000);
        QCOMPARE(clients[c]->closeCode(), quint16(1001));
    }
    QVERIFY2(confab.waitForExit(), confab.standardError().constData());
    QCOMPARE(finished.size(), 1);
    QVERIFY2(confab.exitStatus() == QProcess::NormalExit, confab.standardError().constData());
    QCOMPARE(confab.exitCode(), 0);
    for (const QString &nick : nicks)
        QVERIFY2(linesMentioning(confab.standardError(), QStringLiteral("left"), nick).size() <= 1,
                 confab.standardError().constData());
}

void TestHeadless::takenPortIsReportedWithItsNumber()
{
    QTcpServer squatter;
    QVERIFY(squatter.listen(QHostAddress::LocalHost, 0));
    const QString port = QString::number(squatter.serverPort());

    QTemporaryDir dataDir;
    QVERIFY(dataDir.isValid());
    ServerProcess confab;
    confab.startOnly({ QStringLiteral("--server"), QStringLiteral("--port"), port,
                       QStringLiteral("--bind"), QStringLiteral("127.0.0.1"),
                       QStringLiteral("--data-dir"), dataDir.path() });
    QVERIFY2(confab.waitForExit(), "confab kept running on a taken port");
    QVERIFY2(confab.exitStatus() == QProcess::NormalExit, confab.standardError().constData());
    QVERIFY(confab.exitCode() != 0);
    QVERIFY(!confab.standardOutput().contains("listening on"));

    // A sentence, not a bare error code: words, the port as a number of its own, a full stop.
    const QRegularExpression portWord(QStringLiteral("(^|\\D)%1(\\D|$)").arg(port));
    QString sentence;
    for (const QString &line : QString::fromUtf8(confab.standardError()).split(QLatin1Char('\n'))) {
        if (portWord.match(line).hasMatch())
            sentence = line.trimmed();
    }
    QVERIFY2(!sentence.isEmpty(), confab.standardError().constData());
    QVERIFY2(sentence.count(QLatin1Char(' ')) >= 3, qPrintable(sentence));
    QVERIFY2(sentence.endsWith(QLatin1Char('.')), qPrintable(sentence));
}

QTEST_GUILESS_MAIN(TestHeadless)
#include "tst_headless.moc"
