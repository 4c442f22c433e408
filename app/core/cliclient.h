#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QObject>
#include <QSet>
#include <QUrl>

class ChatClient;
class CertificateTrust;
class QSocketNotifier;

// `confab --join URL --nick NAME --cli`: a member for scripts, with no window. Each
// non-empty line read from standard input is sent as a message; the room's messages
// (the welcome's history, then live ones, this member's own once stored) are printed to
// standard output one per line as "[HH:MM] nick: text", joins and leaves as
// "* nick joined" / "* nick left". At the end of input it waits until everything it sent
// is stored, then leaves and finishes with 0. Problems go to standard error; a refusal
// for good (nickname taken, wrong password, another protocol version, a room that cannot
// be reached at all) finishes with 1, as does a message the room refused.
// Unix only: standard input is watched with a QSocketNotifier.
class CliClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CliClient)

public:
    explicit CliClient(QObject *parent = nullptr);
    ~CliClient() override;

    void setPassword(const QString &password);
    // Connects, joins and starts reading standard input.
    void start(const QUrl &url, const QString &nick);

    // The first line of a password file, as `--password-file` reads it for the server.
    // Empty (and *error set) when it cannot be read or is empty.
    static QString readPasswordFile(const QString &path, QString *error);

    // One message as printed: "[HH:MM] nick: text", local time; line breaks and control
    // characters in the text are replaced so that one message is always one line.
    static QString formatLine(const QDateTime &time, const QString &from, const QString &text);

Q_SIGNALS:
    void finished(int exitCode);

private:
    void onInputReady();
    void onMessagesInserted(int first, int last);
    void onError(const QString &code, const QString &message, bool fatal);
    void takeLines(bool atEnd);
    void finishIfDone();
    void finish(int exitCode);
    static void printOut(const QString &line);
    static void printErr(const QString &line);

    ChatClient *m_client;
    CertificateTrust *m_trust;
    QSocketNotifier *m_input = nullptr;
    QByteArray m_buffer; // input read but not yet a whole line
    QSet<qint64> m_printed; // seqs already written
    bool m_inputEnded = false;
    bool m_everJoined = false;
    bool m_finished = false;
    QSet<QString> m_failed; // clientIds the room refused for good
};
