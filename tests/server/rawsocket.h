#pragma once

// A WebSocket peer written by hand on a QTcpSocket, for the misbehaviours a real client
// library will not produce: never reading, dripping bytes, never finishing the handshake.

#include <QRandomGenerator>
#include <QTcpSocket>
#include <QTest>
#include <QUrl>

#include <optional>

class RawSocket
{
public:
    bool connectTo(const QUrl &url)
    {
        socket.connectToHost(url.host(), quint16(url.port()));
        return socket.waitForConnected(5000);
    }

    bool handshake(const QUrl &url, const QByteArray &extraHeaders = {})
    {
        if (!connectTo(url))
            return false;
        socket.write("GET / HTTP/1.1\r\nHost: " + url.host().toLatin1() + ':'
                     + QByteArray::number(url.port())
                     + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                       "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: confab.v1\r\n"
                     + extraHeaders + "\r\n");
        if (!QTest::qWaitFor([&] { return bufferFill().contains("\r\n\r\n"); }, 5000))
            return false;
        const qsizetype end = m_buffer.indexOf("\r\n\r\n") + 4;
        const bool ok = m_buffer.startsWith("HTTP/1.1 101");
        m_buffer.remove(0, end);
        return ok;
    }

    // A masked frame as a client must send it; `announced` overrides the length field.
    void sendFrame(quint8 opcode, const QByteArray &payload, bool fin = true,
                   std::optional<quint64> announced = std::nullopt)
    {
        socket.write(frame(opcode, payload, fin, announced));
    }

    static QByteArray frame(quint8 opcode, const QByteArray &payload, bool fin = true,
                            std::optional<quint64> announced = std::nullopt)
    {
        QByteArray out;
        out.append(char((fin ? 0x80 : 0) | opcode));
        const quint64 length = announced.value_or(quint64(payload.size()));
        if (length < 126) {
            out.append(char(0x80 | length));
        } else if (length <= 0xFFFF) {
            out.append(char(0x80 | 126));
            out.append(char(length >> 8)).append(char(length & 0xFF));
        } else {
            out.append(char(0x80 | 127));
            for (int i = 7; i >= 0; --i)
                out.append(char((length >> (8 * i)) & 0xFF));
        }
        const quint32 mask = QRandomGenerator::global()->generate();
        const char key[4] = { char(mask >> 24), char(mask >> 16), char(mask >> 8), char(mask) };
        out.append(key, 4);
        for (qsizetype i = 0; i < payload.size(); ++i)
            out.append(char(payload.at(i) ^ key[i % 4]));
        return out;
    }

    void sendText(const QByteArray &utf8) { sendFrame(0x1, utf8); }

    // Reads what has arrived; returns the close code once a close frame came.
    std::optional<int> closeCode()
    {
        bufferFill();
        qsizetype pos = 0;
        while (pos + 2 <= m_buffer.size()) {
            const quint8 opcode = quint8(m_buffer.at(pos)) & 0x0F;
            quint64 length = quint8(m_buffer.at(pos + 1)) & 0x7F;
            qsizetype header = 2;
            if (length == 126) {
                if (pos + 4 > m_buffer.size())
                    break;
                length = (quint8(m_buffer.at(pos + 2)) << 8) | quint8(m_buffer.at(pos + 3));
                header = 4;
            } else if (length == 127) {
                if (pos + 10 > m_buffer.size())
                    break;
                length = 0;
                for (int i = 0; i < 8; ++i)
                    length = (length << 8) | quint8(m_buffer.at(pos + 2 + i));
                header = 10;
            }
            if (pos + header + qsizetype(length) > m_buffer.size())
                break;
            if (opcode == 0x8 && length >= 2)
                return (quint8(m_buffer.at(pos + header)) << 8) | quint8(m_buffer.at(pos + header + 1));
            if (opcode == 0x1)
                texts.append(m_buffer.mid(pos + header, qsizetype(length)));
            pos += header + qsizetype(length);
        }
        m_buffer.remove(0, pos);
        return std::nullopt;
    }

    bool isGone() const { return socket.state() == QAbstractSocket::UnconnectedState; }

    QTcpSocket socket;
    QList<QByteArray> texts; // text frames received, in order

private:
    QByteArray &bufferFill()
    {
        m_buffer += socket.readAll();
        return m_buffer;
    }
    QByteArray m_buffer;
};
