#pragma once

#include "common/protocol.h"
#include "server/encodedframe.h"
#include "server/tokenbucket.h"

#include <QFile>
#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QTimer>

class QWebSocket;
class Room;
class ActivityProbe;
class QTcpSocket;
class DirectTcpSocket;
class FileStore;
struct ServerConfig;

// One connected peer. Owns its socket, decodes what arrives, and passes each valid
// request to the room; everything invalid is answered here with an `error` (or a close)
// without the room ever seeing it. It also enforces the per-connection limits: rate,
// unsent data, and (through sweep()) keep-alive, idle and slow-message timeouts.
class Session final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Session)

public:
    // A wss:// connection, upgraded by Qt's QWebSocketServer.
    Session(QWebSocket *socket, QTcpSocket *tcpSocket, Room *room, const ServerConfig &config,
            QObject *parent = nullptr);
    // A ws:// connection whose handshake RoomServer answered itself (server/wsdirect.h):
    // the session reads and writes RFC 6455 frames on the socket, no QWebSocket.
    enum class Kind { Member, Guest }; // offered confab.v1, or no subprotocol we speak
    Session(DirectTcpSocket *socket, Kind kind, Room *room, const ServerConfig &config,
            QObject *parent = nullptr);
    ~Session() override;

    bool isJoined() const { return !m_nick.isEmpty(); }
    // A plain WebSocket client (it offered no subprotocol): what it sends is chat text,
    // what it gets is `nick: text` lines.
    bool isGuest() const { return m_guest; }
    bool isClosed() const { return m_closed; }
    QString nick() const { return m_nick; }
    QString nickKey() const { return m_nickKey; }
    QString peer() const { return m_peer; }
    QHostAddress peerAddress() const { return m_peerAddress; }
    QString resumeToken() const { return m_resumeToken; }
    QString status() const { return m_status; }
    void setStatus(const QString &status) { m_status = status; }


    void setJoined(const QString &nick, const QString &nickKey, const QString &resumeToken);
    // The room is deliberately taking its time to answer (a wrong password).
    void stopHelloTimer() { m_helloDeadlineMs = -1; }
    // While the room checks this connection's password, what else it sends is ignored.
    void setAwaitingVerdict(bool waiting) { m_awaitingVerdict = waiting; }
    void sendFrame(const QString &frame);
    // A text frame already built (header and payload), the same bytes for many sessions.
    void sendEncoded(const EncodedFrame &frame);
    void send(const Confab::Protocol::ServerMessage &message);
    void sendError(const char *code, const QString &message, const QString &clientId = {},
                   qint64 retryAfterMs = -1);
    // An `error` about one upload or download (`offset`: where the upload goes on).
    void sendFileError(const char *code, const QString &message, const QString &uploadId,
                       const QString &fileId = {}, qint64 offset = -1, qint64 retryAfterMs = -1);
    void close(Confab::Protocol::CloseCode code, const QString &reason);

    // Uploads under way on this connection, by uploadId. The bytes are the FileStore's.
    struct Upload
    {
        QString key; // FileStore's handle
        Confab::Protocol::FileStart start;
        QString toNick; // a direct message's recipient, as resolved at the start
        QString toKey;
        qint64 held = 0;
        qint64 lastAck = 0;
        bool rewinding = false; // told where to go on; chunks past that are stale
    };
    QHash<QString, Upload> &uploads() { return m_uploads; }
    // Ends every upload of this connection, keeping the partials for a resume.
    void releaseUploads();
    // Streams a stored file from `offset` as binary chunks, never more than
    // Limits::MaxFileBacklog queued for the socket, then `fileEnd`.
    void startDownload(const QString &fileId, const QString &path, qint64 offset, qint64 size);
    bool cancelDownload(const QString &fileId);
    int downloadCount() const { return int(m_downloads.size()); }
    // Called about once a second: pings a quiet peer, drops a silent or dripping one.
    void sweep(qint64 nowMs);
    // Gives back the socket's emptied Qt buffers (server/directtcpsocket.h); true if it did.
    bool releaseIdleBuffers();

    static qint64 monotonicMs();

Q_SIGNALS:
    void closed(Session *session);

private:
    // What both transports share.
    Session(QTcpSocket *tcpSocket, const QHostAddress &peerAddress, quint16 peerPort, bool guest,
            Room *room, const ServerConfig &config, QObject *parent);
    void onTextMessage(const QString &text);
    void onBinaryMessage(const QByteArray &data);
    void onDisconnected();
    void noteComplete(); // a whole message or pong arrived
    bool admitBytes(qint64 size); // false (and closing) when this client is not reading
    bool admit(bool isChat, const QString &clientId);
    bool refuse(const TokenBucket &bucket, const QString &clientId, const QString &uploadId,
                qint64 offset, qint64 waitMs = -1);
    void pumpDownloads();
    void init();
    // The transport: QWebSocket for wss://, frames of our own on the socket for ws://.
    void sendText(const QString &text);
    void sendBinary(const QByteArray &data);
    qint64 bytesToWrite() const;
    void abortSocket();
    // Direct connections (m_socket == nullptr) only:
    void onDirectReadyRead();
    // Parses whole frames from m_in; false once the connection is closing.
    bool processFrame(qsizetype &pos);
    void onControlFrame(quint8 opcode, QByteArray payload);
    // Closes after a protocol error (a close frame, then the TCP connection).
    void failDirect(quint16 code, const QString &reason);
    void sendDirectClose(quint16 code, const QString &reason);

    QWebSocket *m_socket = nullptr; // wss:// only
    Room *m_room;
    const ServerConfig &m_config;
    // The socket under m_socket. Qt 6.4 does not delete it when the WebSocket goes (for
    // sockets given to handleConnection), so the session does.
    QPointer<QTcpSocket> m_tcpSocket;
    QPointer<ActivityProbe> m_probe;
    // Closed by sweep() when no hello has arrived by then (-1: not waiting). A deadline
    // instead of a QTimer per connection: the sweep already visits every session.
    qint64 m_helloDeadlineMs = -1;
    QString m_peer;
    QHostAddress m_peerAddress;
    QString m_nick;
    QString m_nickKey;
    QString m_resumeToken;
    TokenBucket m_chatBucket;
    TokenBucket m_requestBucket; // history, members, pings: generous, but bounded
    // Typing notices have their own, rarer allowance; extra ones are dropped silently.
    TokenBucket m_typingBucket { 0.5, 3 }; // one every 2 s, after 3
    // Upload chunks: generous, so big files go at disk speed, but bounded.
    TokenBucket m_chunkBucket;
    FileStore *m_files = nullptr;
    QHash<QString, Upload> m_uploads;
    struct Download
    {
        QString fileId;
        std::shared_ptr<QFile> file;
        qint64 offset = 0;
        qint64 size = 0;
    };
    QList<Download> m_downloads;
    bool m_pumpQueued = false;
    QString m_status = QString::fromLatin1(Confab::Protocol::Status::Online);
    int m_strikes = 0; // messages sent while rate-limited, in a row
    qint64 m_chatHoldUntilMs = -1; // chat refused until then (keeps a resent paste in order)
    qint64 m_lastReceivedMs;
    qint64 m_lastPingMs = -1;
    bool m_closed = false;
    bool m_guest = false;
    bool m_awaitingVerdict = false;
    bool m_typingActive = false;
    // Direct (ws://) connections: bytes read but not yet a whole frame (released when
    // empty), the fragments of a message under way and its opcode (0: none), and the
    // closing handshake.
    QByteArray m_in;
    QByteArray m_fragments;
    quint8 m_fragmentOpcode = 0;
    bool m_closeSent = false;
};
