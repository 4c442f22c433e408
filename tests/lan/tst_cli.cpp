// `confab --join URL --nick NAME --cli` as a script would run it: the built binary as a
// child process, a room in this process, and a ChatClient in the room to see what arrives.

#include "app/core/chatclient.h"
#include "app/core/cliclient.h"
#include "common/membermodel.h"
#include "common/messagemodel.h"
#include "server/roomserver.h"

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace {

// The texts `from` has said, as `client` sees them.
QStringList textsFrom(const ChatClient &client, const QString &from)
{
    QStringList texts;
    const MessageModel *m = client.messages();
    for (int row = 0; row < m->rowCount(); ++row) {
        const QModelIndex i = m->index(row);
        if (i.data(MessageModel::KindRole).value<MessageModel::Kind>() == MessageModel::Kind::Chat
            && i.data(MessageModel::SenderRole).toString() == from)
            texts.append(i.data(MessageModel::TextRole).toString());
    }
    return texts;
}

bool hasMember(const ChatClient &client, const QString &nick)
{
    const MemberModel *m = client.members();
    for (int row = 0; row < m->rowCount(); ++row) {
        if (m->index(row).data(MemberModel::NickRole).toString() == nick)
            return true;
    }
    return false;
}

// One `confab --cli` child, its output gathered as it comes.
class CliProcess
{
public:
    explicit CliProcess(const QStringList &args)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_home.path());
        env.insert(QStringLiteral("HOME"), m_home.path());
        env.remove(QStringLiteral("DISPLAY"));
        env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        env.remove(QStringLiteral("QT_QPA_PLATFORM"));
        process.setProcessEnvironment(env);
        QObject::connect(&process, &QProcess::readyReadStandardOutput, &process,
                         [this] { out += process.readAllStandardOutput(); });
        QObject::connect(&process, &QProcess::readyReadStandardError, &process,
                         [this] { err += process.readAllStandardError(); });
        process.start(qEnvironmentVariable("CONFAB_BINARY"), args);
    }
    ~CliProcess()
    {
        if (process.state() != QProcess::NotRunning) {
            process.kill();
            process.waitForFinished(5000);
        }
    }
    QStringList outLines() const
    {
        return QString::fromUtf8(out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    }
    // Waits with the event loop turning (the room lives in this process).
    bool waitForExit(int timeoutMs = 20000)
    {
        return QTest::qWaitFor([this] { return process.state() == QProcess::NotRunning; },
                               timeoutMs);
    }

    QTemporaryDir m_home;
    QProcess process;
    QByteArray out;
    QByteArray err;
};

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void formatLine();
    void sendsLinesAndExitsAtEnd();
    void printsTheRoom();
    void takenNicknameFails();
    void unreachableRoomFails();
    void passwordFile();

private:
    QStringList cliArgs(const QString &nick) const
    {
        return { QStringLiteral("--join"),
                 QStringLiteral("ws://127.0.0.1:%1").arg(m_server->port()),
                 QStringLiteral("--nick"), nick, QStringLiteral("--cli") };
    }
    void startRoom(const RoomPassword &password = {});

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<RoomServer> m_server;
    std::unique_ptr<ChatClient> m_watcher;
};

void TestCli::initTestCase()
{
    const QString binary = qEnvironmentVariable("CONFAB_BINARY");
    QVERIFY2(!binary.isEmpty() && QFile::exists(binary), "CONFAB_BINARY names the built confab");
}

void TestCli::startRoom(const RoomPassword &password)
{
    m_server.reset();
    m_watcher.reset();
    m_dir = std::make_unique<QTemporaryDir>();
    ServerConfig config;
    config.bindAddress = QHostAddress::LocalHost;
    config.port = 0;
    config.dataDir = m_dir->path();
    config.roomName = QStringLiteral("Scripts");
    config.announce = false;
    config.password = password;
    m_server = std::make_unique<RoomServer>(config);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    m_watcher = std::make_unique<ChatClient>();
    m_watcher->setPassword(QStringLiteral("open sesame"));
    m_watcher->open(m_server->url(), QStringLiteral("Watcher"));
    QTRY_COMPARE(m_watcher->state(), ChatClient::State::Joined);
}

void TestCli::init()
{
    startRoom();
}

void TestCli::cleanup()
{
    m_watcher.reset();
    m_server.reset();
    m_dir.reset();
}

void TestCli::formatLine()
{
    const QDateTime t = QDateTime(QDate(2026, 1, 2), QTime(9, 5), Qt::LocalTime);
    QCOMPARE(CliClient::formatLine(t, QStringLiteral("Ada"), QStringLiteral("hi")),
             QStringLiteral("[09:05] Ada: hi"));
    // One message is one line, and another member cannot send terminal escapes.
    QCOMPARE(CliClient::formatLine(t, QStringLiteral("Ada"), QStringLiteral("a\r\nb\nc\x1b[2J")),
             QStringLiteral("[09:05] Ada: a\u21B5b\u21B5c\uFFFD[2J"));
}

void TestCli::sendsLinesAndExitsAtEnd()
{
    CliProcess cli(cliArgs(QStringLiteral("Piper")));
    QVERIFY2(cli.process.waitForStarted(10000), qPrintable(cli.process.errorString()));
    cli.process.write("hello\n\n   \n");
    cli.process.write(
        "\xec\x95\x88\xeb\x85\x95\xed\x95\x98\xec\x84\xb8\xec\x9a\x94\r\n"); // 안녕하세요
    cli.process.closeWriteChannel();
    QVERIFY(cli.waitForExit());
    QCOMPARE(cli.process.exitStatus(), QProcess::NormalExit);
    QVERIFY2(cli.process.exitCode() == 0, cli.err.constData());
    // Acked before the exit, so the room has them now.
    QTRY_COMPARE(textsFrom(*m_watcher, QStringLiteral("Piper")),
                 QStringList({ QStringLiteral("hello"), QStringLiteral("안녕하세요") }));
    // Its own messages, once stored, are part of the room's transcript.
    const QStringList lines = cli.outLines();
    QCOMPARE(lines.size(), 2);
    QVERIFY(QRegularExpression(QStringLiteral("^\\[\\d\\d:\\d\\d\\] Piper: hello$"))
                .match(lines.at(0))
                .hasMatch());
    QVERIFY(lines.at(1).endsWith(QStringLiteral("] Piper: 안녕하세요")));
    QVERIFY2(cli.err.isEmpty(), cli.err.constData());
}

void TestCli::printsTheRoom()
{
    // Said before it joins: arrives with the welcome's history.
    m_watcher->sendMessage(QStringLiteral("earlier"));
    QSignalSpy acked(m_watcher.get(), &ChatClient::messageAcked);
    QVERIFY(acked.wait(5000));

    CliProcess cli(cliArgs(QStringLiteral("Piper")));
    QVERIFY(cli.process.waitForStarted(10000));
    QTRY_VERIFY(hasMember(*m_watcher, QStringLiteral("Piper")));
    QTRY_COMPARE(cli.outLines().size(), 1);
    QVERIFY(cli.outLines().at(0).endsWith(QStringLiteral("] Watcher: earlier")));

    m_watcher->sendMessage(QStringLiteral("two\nlines"));
    QTRY_COMPARE(cli.outLines().size(), 2);
    QVERIFY(QRegularExpression(QStringLiteral("^\\[\\d\\d:\\d\\d\\] Watcher: two\u21B5lines$"))
                .match(cli.outLines().at(1))
                .hasMatch());

    ChatClient late;
    late.open(m_server->url(), QStringLiteral("Late"));
    QTRY_COMPARE(late.state(), ChatClient::State::Joined);
    QTRY_COMPARE(cli.outLines().size(), 3);
    QCOMPARE(cli.outLines().at(2), QStringLiteral("* Late joined"));
    late.close();
    QTRY_COMPARE(cli.outLines().size(), 4);
    QCOMPARE(cli.outLines().at(3), QStringLiteral("* Late left"));

    cli.process.closeWriteChannel();
    QVERIFY(cli.waitForExit());
    QCOMPARE(cli.process.exitCode(), 0);
    QTRY_VERIFY(!hasMember(*m_watcher, QStringLiteral("Piper")));
}

void TestCli::takenNicknameFails()
{
    CliProcess cli(cliArgs(QStringLiteral("watcher")));
    QVERIFY(cli.process.waitForStarted(10000));
    cli.process.write("never sent\n");
    QVERIFY(cli.waitForExit());
    QCOMPARE(cli.process.exitStatus(), QProcess::NormalExit);
    QVERIFY(cli.process.exitCode() != 0);
    QVERIFY2(cli.err.contains("is already in use in this room"), cli.err.constData());
    QVERIFY(cli.out.isEmpty());
    QVERIFY(textsFrom(*m_watcher, QStringLiteral("watcher")).isEmpty());
}

void TestCli::unreachableRoomFails()
{
    const quint16 port = m_server->port();
    m_server.reset(); // nothing listens there now
    CliProcess cli({ QStringLiteral("--join"), QStringLiteral("127.0.0.1:%1").arg(port),
                     QStringLiteral("--nick"), QStringLiteral("Piper"), QStringLiteral("--cli") });
    QVERIFY(cli.process.waitForStarted(10000));
    QVERIFY(cli.waitForExit());
    QCOMPARE(cli.process.exitCode(), 1);
    QVERIFY2(cli.err.contains("Cannot join ws://127.0.0.1:"), cli.err.constData());

    CliProcess noNick(
        { QStringLiteral("--join"), QStringLiteral("127.0.0.1:1"), QStringLiteral("--cli") });
    QVERIFY(noNick.waitForExit());
    QVERIFY(noNick.process.exitCode() != 0);
    QVERIFY2(noNick.err.contains("--nick"), noNick.err.constData());
}

void TestCli::passwordFile()
{
    startRoom(RoomPassword::fromPlainText(QStringLiteral("open sesame")));
    QTemporaryDir dir;
    const QString good = dir.filePath(QStringLiteral("good"));
    const QString bad = dir.filePath(QStringLiteral("bad"));
    for (const auto &[path, text] :
         { std::pair(good, "open sesame\n"), std::pair(bad, "guess\n") }) {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(text);
    }
    {
        CliProcess cli(cliArgs(QStringLiteral("Piper"))
                       << QStringLiteral("--password-file") << good);
        QVERIFY(cli.process.waitForStarted(10000));
        cli.process.write("with the password\n");
        cli.process.closeWriteChannel();
        QVERIFY(cli.waitForExit());
        QVERIFY2(cli.process.exitCode() == 0, cli.err.constData());
        QTRY_COMPARE(textsFrom(*m_watcher, QStringLiteral("Piper")),
                     QStringList { QStringLiteral("with the password") });
    }
    {
        CliProcess cli(cliArgs(QStringLiteral("Pan")) << QStringLiteral("--password-file") << bad);
        QVERIFY(cli.process.waitForStarted(10000));
        QVERIFY(cli.waitForExit());
        QVERIFY(cli.process.exitCode() != 0);
        QVERIFY2(cli.err.contains("The password is not right."), cli.err.constData());
    }
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
