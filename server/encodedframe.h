#pragma once

#include <QByteArray>
#include <QString>

// One WebSocket text frame as a server sends it (FIN, opcode 1, no mask), built once and
// written as the same bytes to every recipient: no per-recipient UTF-8 conversion or
// framing. Implicitly shared, so handing it to a thousand sessions copies nothing.
struct EncodedFrame
{
    QByteArray bytes;
    qsizetype headerSize = 0;

    static EncodedFrame text(const QByteArray &utf8)
    {
        EncodedFrame f;
        const quint64 n = quint64(utf8.size());
        f.bytes.reserve(utf8.size() + 10);
        f.bytes.append(char(0x81));
        if (n < 126) {
            f.bytes.append(char(n));
        } else if (n <= 0xFFFF) {
            f.bytes.append(char(126)).append(char(n >> 8)).append(char(n & 0xFF));
        } else {
            f.bytes.append(char(127));
            for (int i = 7; i >= 0; --i)
                f.bytes.append(char((n >> (8 * i)) & 0xFF));
        }
        f.headerSize = f.bytes.size();
        f.bytes.append(utf8);
        return f;
    }
    static EncodedFrame text(const QString &text) { return EncodedFrame::text(text.toUtf8()); }

    bool isEmpty() const { return bytes.isEmpty(); }
    QByteArray payload() const { return bytes.mid(headerSize); }
};
