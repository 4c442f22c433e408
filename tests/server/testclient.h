#pragma once

// A protocol-level client for server tests: a real QWebSocket that speaks confab.v1 JSON
// by hand, so tests see exactly what the server sends, frame by frame.

#include "common/codec.h"
#include "common/protocol.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>

class TestClient : public QObject
{
public:
    explicit TestClient(QObject *parent = nullptr) : QObject(parent)
    {
        connect(&socket, &QWebSocket::textMessageReceived, this,
                [this](const QString &text) { received.append(QJsonDocument::fromJson(text.toUtf8()).object()); });
        connect(&socket, &QWebSocket::disconnected, this, [this] { disconnected = true; });
    }

    bool open(const QUrl &url, const QStringList &subprotocols = { QStringLiteral("confab.v1") })
    {
        QWebSocketHandshakeOptions options;
        options.setSubprotocols(subprotocols);
        QSignalSpy connected(&socket, &QWebSocket::connected);
        socket.open(url, options);
        return connected.wait(5000) || connected.size() > 0;
    }

    // Opens and joins; returns the welcome (empty object on failure).
    QJsonObject join(const QUrl &url, const QString &nick, qint64 lastSeq = -1)
    {
        if (!open(url))
            return {};
        sendHello(nick, lastSeq);
        return waitFor(QStringLiteral("welcome"));
    }

    void sendHello(const QString &nick, qint64 lastSeq = -1, const QString &token = {})
    {
        Confab::Protocol::Hello hello;
        hello.nick = nick;
        hello.lastSeq = lastSeq;
        hello.resumeToken = token;
        sendJson(Confab::Codec::encode(Confab::Protocol::ClientMessage(hello)));
    }

    void sendChat(const QString &clientId, const QString &text)
    {
        sendJson(Confab::Codec::encode(
            Confab::Protocol::ClientMessage(Confab::Protocol::SendChat { clientId, text, {}, {} })));
    }

    void sendJson(const QByteArray &json) { socket.sendTextMessage(QString::fromUtf8(json)); }

    // Waits for the next not-yet-taken message of `type` and takes it.
    QJsonObject waitFor(const QString &type, int timeoutMs = 5000)
    {
        QJsonObject found;
        const auto take = [&] {
            for (qsizetype i = m_taken; i < received.size(); ++i) {
                if (received.at(i).value(QLatin1String("type")).toString() == type) {
                    found = received.at(i);
                    m_taken = i + 1;
                    return true;
                }
            }
            return false;
        };
        if (!QTest::qWaitFor(take, timeoutMs))
            return {};
        return found;
    }

    QList<QJsonObject> ofType(const QString &type) const
    {
        QList<QJsonObject> list;
        for (const QJsonObject &o : received) {
            if (o.value(QLatin1String("type")).toString() == type)
                list.append(o);
        }
        return list;
    }

    QWebSocket socket { QString(), QWebSocketProtocol::VersionLatest };
    QList<QJsonObject> received;
    bool disconnected = false;

private:
    qsizetype m_taken = 0;
};
