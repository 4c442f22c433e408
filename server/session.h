#pragma once

#include "common/protocol.h"

#include <QObject>
#include <QTimer>

class QWebSocket;
class Room;

// One connected peer. Owns its socket, decodes what arrives, and passes each valid
// request to the room; everything invalid is answered here with an `error` (or a close)
// without the room ever seeing it.
class Session final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Session)

public:
    Session(QWebSocket *socket, Room *room, int helloTimeoutMs, QObject *parent = nullptr);
    ~Session() override;

    bool isJoined() const { return !m_nick.isEmpty(); }
    QString nick() const { return m_nick; }
    QString nickKey() const { return m_nickKey; }
    QString peer() const { return m_peer; }
    QString resumeToken() const { return m_resumeToken; }

    void setJoined(const QString &nick, const QString &nickKey, const QString &resumeToken);
    void sendFrame(const QString &frame);
    void send(const Confab::Protocol::ServerMessage &message);
    void sendError(const char *code, const QString &message, const QString &clientId = {});
    void close(Confab::Protocol::CloseCode code, const QString &reason);

Q_SIGNALS:
    void closed(Session *session);

private:
    void onTextMessage(const QString &text);
    void onBinaryMessage(const QByteArray &data);
    void onDisconnected();

    QWebSocket *m_socket;
    Room *m_room;
    QTimer m_helloTimer;
    QString m_peer;
    QString m_nick;
    QString m_nickKey;
    QString m_resumeToken;
    bool m_closed = false;
};
