#include "rawclient.h"

#include <QJsonDocument>
#include <QWebSocketHandshakeOptions>

RawClient::RawClient(QObject *parent)
    : QObject(parent)
{
    connect(&m_socket, &QWebSocket::connected, this, [this] {
        m_connected = true;
        QJsonObject hello { { "type", "hello" }, { "version", 1 }, { "nick", m_nick } };
        if (m_lastSeq >= 0)
            hello.insert(QStringLiteral("lastSeq"), m_lastSeq);
        sendJson(hello);
    });
    connect(&m_socket, &QWebSocket::disconnected, this, [this] {
        m_closeCode = quint16(m_socket.closeCode());
        m_disconnected = true;
    });
    connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        const QJsonObject object = QJsonDocument::fromJson(text.toUtf8()).object();
        if (object.value(QStringLiteral("type")).toString() == QLatin1String("welcome"))
            m_welcome = object;
        m_received.append(object);
        Q_EMIT messageReceived(object);
    });
}

void RawClient::join(const QUrl &url, const QString &nick, qint64 lastSeq)
{
    m_nick = nick;
    m_lastSeq = lastSeq;
    QWebSocketHandshakeOptions options;
    options.setSubprotocols({ QStringLiteral("confab.v1") });
    m_socket.open(url, options);
}

void RawClient::sendJson(const QJsonObject &object)
{
    m_socket.sendTextMessage(
        QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact)));
}

void RawClient::sendChat(const QString &clientId, const QString &text)
{
    sendJson({ { "type", "chat" }, { "clientId", clientId }, { "text", text } });
}

QList<QJsonObject> RawClient::receivedOfType(const QString &type) const
{
    QList<QJsonObject> list;
    for (const QJsonObject &o : m_received) {
        if (o.value(QStringLiteral("type")).toString() == type)
            list.append(o);
    }
    return list;
}
