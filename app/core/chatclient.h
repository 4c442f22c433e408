#pragma once

#include "app/core/backoff.h"
#include "common/protocol.h"

#include <QElapsedTimer>
#include <QObject>
#include <QSet>
#include <QTimer>
#include <QUrl>

class QWebSocket;
class MessageModel;
class MemberModel;
class CertificateTrust;
class QSslError;

// One member's connection to a room: joins with `hello`, keeps the message and member
// models up to date, and never loses what the user typed. Outgoing messages wait in an
// outbox (shown as "sending…") until the server acks them, and are sent again after a
// reconnect; a dropped connection is retried with backoff and resumed from the last `seq`.
// No widgets: the GUI, the CLI client, tests and the bench all use this class.
class ChatClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChatClient)

public:
    enum class State {
        Disconnected, // not connected and not trying (never opened, closed, or fatal error)
        Connecting, // opening the socket
        Joining, // socket open, hello sent, waiting for welcome
        Joined,
        WaitingToReconnect, // dropped; the next attempt is scheduled
    };
    Q_ENUM(State)

    explicit ChatClient(QObject *parent = nullptr);
    ~ChatClient() override;

    // Connects to ws://host:port (or wss://) and joins as `nick`. Reconnects on its own
    // until close() is called or the server refuses for good (bad version, nick refused).
    void open(const QUrl &url, const QString &nick);
    void close();
    // The room's password, sent with every hello (set before open()).
    void setPassword(const QString &password) { m_password = password; }

    // Queues one chat message and returns its clientId. Sent at once when joined, else
    // after the next join.
    QString sendMessage(const QString &text, const QString &to = {}, const QString &replyTo = {});
    // Changes to stored messages; the server refuses them for others' messages.
    void editMessage(const QString &id, const QString &text);
    void deleteMessage(const QString &id);
    void react(const QString &id, const QString &emoji, bool add = true);
    // Searches the room's history on the server; the answer comes as searchResults().
    void search(const QString &query, int limit = 50);
    // The user is typing (true) or stopped (false). Cheap to call on every keystroke: a
    // notice goes out at most every few seconds.
    void setTyping(bool typing);
    // Away (by hand, or after idle minutes) or back; kept across reconnects.
    void setAway(bool away);
    bool isAway() const { return m_away; }
    // Who else is typing now, in the order they started.
    QStringList typingNicks() const;

    // Asks for the page of history before the oldest message held. No-op while one is
    // already on its way or when there is nothing older.
    void requestOlder(int limit = 100);

    State state() const { return m_state; }
    QUrl url() const { return m_url; }
    QString nick() const { return m_nick; }
    QString roomName() const { return m_roomName; }
    bool hasOlder() const { return m_hasOlder; }
    bool isLoadingOlder() const { return m_loadingOlder; }
    int outboxSize() const { return int(m_outbox.size()); }
    // Milliseconds until the next reconnect attempt, while WaitingToReconnect.
    int reconnectRemainingMs() const;
    // Why the connection last ended or could not be made (the server's close reason or
    // the socket's error), for the status bar; empty while all is well.
    QString errorString() const { return m_errorString; }

    MessageModel *messages() const { return m_messages; }
    MemberModel *members() const { return m_members; }

    // For file transfers (app/core/filetransfer.h): file requests and binary chunks go on
    // this connection while joined; false when there is none.
    bool sendRequest(const Confab::Protocol::ClientMessage &message);
    bool sendBinary(const QByteArray &frame);
    qint64 bytesToWrite() const;
    // For tests: cuts the connection as a network failure would (then reconnects).
    void abortConnection();

    // For tests: the delays used between reconnect attempts.
    void setBackoff(const Backoff &backoff) { m_backoff = backoff; }

    // Pins for wss:// rooms no CA vouches for (self-signed): the first certificate seen at
    // a host:port is accepted and remembered, a different one later is refused for good
    // (error "certificate-changed"). Not owned; must outlive this client. Without one,
    // such rooms fail to connect (error "certificate-untrusted", retried with backoff).
    void setCertificateTrust(CertificateTrust *trust) { m_trust = trust; }

Q_SIGNALS:
    void stateChanged(ChatClient::State state);
    void joined(); // after each welcome, the first and every rejoin
    void reconnectScheduled(int delayMs);
    // The server refused something. `fatal` means the client stopped trying.
    void errorReceived(const QString &code, const QString &message, bool fatal);
    void olderLoaded(int count);
    void typingChanged();
    void searchResults(const QString &query, const QList<Confab::Protocol::ChatMessage> &messages);
    void messageAcked(const QString &clientId, qint64 seq);
    // File transfer traffic (see docs/PROTOCOL.md "Files"); FileTransfer listens.
    void fileReady(const QString &uploadId, qint64 offset);
    void fileProgress(const QString &uploadId, qint64 offset);
    void fileDone(const QString &uploadId, const QString &fileId, qint64 seq);
    void fileEnded(const QString &fileId, qint64 size);
    // An error about one upload (uploadId) or download (fileId); not in errorReceived.
    void fileErrorReceived(const QString &code, const QString &message, const QString &uploadId,
                           const QString &fileId, qint64 offset, qint64 retryAfterMs);
    void binaryReceived(const QByteArray &frame);
    void bytesWritten();
    // A wss:// room's certificate was seen at hostPort for the first time and is now
    // trusted; show the fingerprint so the user can compare it with the host's.
    void certificateFirstSeen(const QString &hostPort, const QString &fingerprint);

private:
    struct Outgoing
    {
        QString clientId;
        QString text;
        QString to;
        QString replyTo;
    };

    void connectSocket();
    void setState(State state);
    void onConnected();
    void onDisconnected();
    void onTextMessage(const QString &text);
    void onSslErrors(const QList<QSslError> &errors);
    void handle(const Confab::Protocol::Welcome &m);
    void handle(const Confab::Protocol::ChatMessage &m);
    // Live messages go into the model in batches: one insert (one layout of the views) per
    // event-loop pass instead of one per message, so a burst does not stall the window.
    void flushIncoming();
    void scheduleDrain();
    void drainFrames(int sliceMs); // -1: all of them
    void handle(const Confab::Protocol::Ack &m);
    void handle(const Confab::Protocol::Joined &m);
    void handle(const Confab::Protocol::Left &m);
    void handle(const Confab::Protocol::Members &m);
    void handle(const Confab::Protocol::HistoryPage &m);
    void handle(const Confab::Protocol::Error &m);
    void handle(const Confab::Protocol::Ping &m);
    void handle(const Confab::Protocol::Pong &) { }
    void handle(const Confab::Protocol::Typing &m);
    void handle(const Confab::Protocol::MessageUpdated &m);
    void handle(const Confab::Protocol::SearchResults &m);
    void handle(const Confab::Protocol::PresenceChanged &m);
    void handle(const Confab::Protocol::FileReady &m) { Q_EMIT fileReady(m.uploadId, m.offset); }
    void handle(const Confab::Protocol::FileProgress &m) { Q_EMIT fileProgress(m.uploadId, m.offset); }
    void handle(const Confab::Protocol::FileDone &m) { Q_EMIT fileDone(m.uploadId, m.fileId, m.seq); }
    void handle(const Confab::Protocol::FileEnd &m) { Q_EMIT fileEnded(m.fileId, m.size); }
    void forgetTyping(const QString &nick);
    bool isSelf(const QString &nick) const;
    void send(const Confab::Protocol::ClientMessage &message);
    void sendPending();
    void takeFromOutbox(const QString &clientId);
    void stopForGood(const QString &code, const QString &message);
    // Closes the socket (if any) and cancels any reconnect; the state is the caller's.
    void stopTrying();

    QWebSocket *m_socket = nullptr;
    MessageModel *m_messages;
    MemberModel *m_members;
    QTimer m_reconnectTimer;
    Backoff m_backoff;
    State m_state = State::Disconnected;
    QUrl m_url;
    QString m_nick;
    QString m_roomName;
    QString m_resumeToken;
    QString m_errorString;
    QList<Outgoing> m_outbox;
    QSet<QString> m_inFlight; // sent on this connection, not yet acked or refused
    static constexpr int MaxInFlight = 10;
    bool m_rateLimited = false; // asked to wait since the outbox was last empty
    QString m_password;
    // Others typing: nick -> when their notice goes stale (monotonic ms).
    QList<std::pair<QString, qint64>> m_typing;
    QTimer m_typingExpiry;
    QElapsedTimer m_monotonic;
    qint64 m_typingSentMs = -1; // when we last said we are typing; -1: we are not
    bool m_away = false;
    // Resends the outbox after the server asked to wait (rate limit, a failed store).
    QTimer m_retryTimer;
    // The seq up to which this client holds every message; what it asks to resume from.
    qint64 m_syncedSeq = -1;
    bool m_catchingUp = false; // asking `after` pages until caught up
    QList<Confab::Protocol::ChatMessage> m_incoming; // decoded, not yet in the model
    struct Frame
    {
        QString text;
        QByteArray bytes;
        bool binary = false;
    };
    static constexpr int DrainSliceMs = 8;
    static constexpr int MaxFramesPerSlice = 250;
    QList<Frame> m_frames; // received, not yet handled
    bool m_drainQueued = false;
    bool m_draining = false;
    bool m_hasOlder = false;
    bool m_loadingOlder = false;
    bool m_everJoined = false;
    bool m_closing = false;
    CertificateTrust *m_trust = nullptr;
};
