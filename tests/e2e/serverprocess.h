#pragma once

#include <QByteArray>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStringList>
#include <QUrl>

// A `confab --server` child process for end-to-end tests: started with no display in its
// environment, ready once it prints `listening on ws://ADDR:PORT`, with its stderr
// collected as it arrives. Killed (SIGKILL) on destruction if still running.
class ServerProcess final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServerProcess)

public:
    explicit ServerProcess(QObject *parent = nullptr);
    ~ServerProcess() override;

    // The confab binary under test (CONFAB_BINARY), empty when the variable is unset.
    static QString binary();
    // The caller's environment without anything that would give Qt a display.
    static QProcessEnvironment headlessEnvironment();

    // Starts `confab ARGS` and waits up to timeoutMs for the `listening on` line. False when
    // the process exited first or never printed it; then stderr() tells why.
    bool startServer(const QStringList &arguments, int timeoutMs = 15000);
    // Starts `confab ARGS` without waiting for anything (for --help, a taken port...).
    void startOnly(const QStringList &arguments);
    // Waits for the process to end; false on timeout.
    bool waitForExit(int timeoutMs = 15000);

    void terminate() { m_process.terminate(); } // SIGTERM
    void kill() { m_process.kill(); } // SIGKILL

    bool isRunning() const { return m_process.state() != QProcess::NotRunning; }
    QUrl url() const { return m_url; }
    quint16 port() const { return m_port; }
    QByteArray standardOutput() const { return m_stdout; }
    QByteArray standardError() const { return m_stderr; }
    QProcess::ExitStatus exitStatus() const { return m_process.exitStatus(); }
    int exitCode() const { return m_process.exitCode(); }
    QProcess &process() { return m_process; }

private:
    QProcess m_process;
    QByteArray m_stdout;
    QByteArray m_stderr;
    QUrl m_url;
    quint16 m_port = 0;
    bool m_finished = false;
};
