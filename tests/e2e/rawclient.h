#pragma once

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QUrl>
#include <QWebSocket>

// A protocol-v1 peer that speaks raw JSON over a QWebSocket, with no Confab client code
// in between: what an end-to-end test sees is exactly what is on the wire.
class RawClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RawClient)

public:
    explicit RawClient(QObject *parent = nullptr);

    // Opens the socket offering the `confab.v1` subprotocol and, once connected, says hello
    // as `nick` (lastSeq -1 when fresh).
    void join(const QUrl &url, const QString &nick, qint64 lastSeq = -1);
    void sendJson(const QJsonObject &object);
    void sendChat(const QString &clientId, const QString &text);

    QWebSocket &socket() { return m_socket; }
    bool isConnected() const { return m_connected; }
    bool isDisconnected() const { return m_disconnected; }
    bool hasWelcome() const { return !m_welcome.isEmpty(); }
    QJsonObject welcome() const { return m_welcome; }
    // Every message received, in order, and those of one type.
    QList<QJsonObject> received() const { return m_received; }
    QList<QJsonObject> receivedOfType(const QString &type) const;
    quint16 closeCode() const { return m_closeCode; }
    QString acceptedSubprotocol() const { return m_socket.subprotocol(); }

Q_SIGNALS:
    void messageReceived(const QJsonObject &message);

private:
    QWebSocket m_socket;
    QString m_nick;
    qint64 m_lastSeq = -1;
    QJsonObject m_welcome;
    QList<QJsonObject> m_received;
    quint16 m_closeCode = 0;
    bool m_connected = false;
    bool m_disconnected = false;
};
