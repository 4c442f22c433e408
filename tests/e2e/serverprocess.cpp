#include "serverprocess.h"

#include <QRegularExpression>
#include <QTest>

ServerProcess::ServerProcess(QObject *parent)
    : QObject(parent)
{
    m_process.setProcessEnvironment(headlessEnvironment());
    connect(&m_process, &QProcess::readyReadStandardOutput, this,
            [this] { m_stdout += m_process.readAllStandardOutput(); });
    connect(&m_process, &QProcess::readyReadStandardError, this,
            [this] { m_stderr += m_process.readAllStandardError(); });
    connect(&m_process, &QProcess::finished, this, [this] {
        m_stdout += m_process.readAllStandardOutput();
        m_stderr += m_process.readAllStandardError();
        m_finished = true;
    });
    connect(&m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            m_finished = true;
    });
}

ServerProcess::~ServerProcess()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

QString ServerProcess::binary()
{
    return qEnvironmentVariable("CONFAB_BINARY");
}

QProcessEnvironment ServerProcess::headlessEnvironment()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    return env;
}

void ServerProcess::startOnly(const QStringList &arguments)
{
    m_stdout.clear();
    m_stderr.clear();
    m_url.clear();
    m_port = 0;
    m_finished = false;
    m_process.start(binary(), arguments);
}

bool ServerProcess::startServer(const QStringList &arguments, int timeoutMs)
{
    startOnly(arguments);
    static const QRegularExpression listening(
        QStringLiteral("^listening on (wss?://\\S+:(\\d+))(?=[/\\s]|$)"),
        QRegularExpression::MultilineOption);
    QRegularExpressionMatch match;
    const bool ready = QTest::qWaitFor(
        [&] {
            match = listening.match(QString::fromUtf8(m_stdout));
            return match.hasMatch() || m_finished;
        },
        timeoutMs);
    if (!ready || !match.hasMatch())
        return false;
    m_url = QUrl(match.captured(1));
    m_port = quint16(match.captured(2).toUInt());
    return m_port != 0;
}

bool ServerProcess::waitForExit(int timeoutMs)
{
    return QTest::qWaitFor([this] { return m_finished; }, timeoutMs);
}
