#include "server/wsdirect.h"

#include <QCryptographicHash>
#include <QList>

#include <cstring>

namespace WsDirect {

namespace {

QByteArray lowerTrimmed(QByteArrayView v)
{
    return v.trimmed().toByteArray().toLower();
}

// Whether a comma-separated header value holds `token` (case-insensitive).
bool hasToken(const QByteArray &value, QByteArrayView token)
{
    for (const QByteArray &part : value.split(','))
        if (part.trimmed().compare(token, Qt::CaseInsensitive) == 0)
            return true;
    return false;
}

HandshakeAnswer refuse(int status, const QString &reason)
{
    HandshakeAnswer a;
    a.status = status;
    a.reason = reason;
    if (status == 403)
        a.response = "HTTP/1.1 403 Access Forbidden\r\n";
    else
        a.response = "HTTP/1.1 400 Bad Request\r\nSec-WebSocket-Version: 13\r\n";
    a.response += "Server: Confab\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    return a;
}

} // namespace

QByteArray acceptKey(QByteArrayView key)
{
    QCryptographicHash sha1(QCryptographicHash::Sha1);
    sha1.addData(key);
    sha1.addData(QByteArrayView("258EAFA5-E914-47DA-95CA-C5AB0DC85B11"));
    return sha1.result().toBase64();
}

HandshakeAnswer answerHandshake(QByteArrayView head, const QByteArray &subprotocol,
                                const std::function<bool(const QString &)> &originAllowed)
{
    const QList<QByteArray> lines = head.toByteArray().split('\n');
    if (lines.isEmpty())
        return refuse(400, QStringLiteral("empty request"));
    const QList<QByteArray> request = lines.first().trimmed().split(' ');
    if (request.size() != 3 || request.at(0) != "GET" || request.at(1).isEmpty())
        return refuse(400, QStringLiteral("not a GET request"));
    const QByteArray &version = request.at(2);
    if (!version.startsWith("HTTP/1.") || version.size() != 8 || version.at(7) < '1'
        || version.at(7) > '9')
        return refuse(400, QStringLiteral("not HTTP/1.1"));

    QByteArray host, upgrade, connection, key, wsVersion, protocols, origin;
    bool haveOrigin = false;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray &line = lines.at(i);
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0) {
            if (line.trimmed().isEmpty())
                continue;
            return refuse(400, QStringLiteral("a header line without a colon"));
        }
        const QByteArray name = lowerTrimmed(QByteArrayView(line).first(colon));
        const QByteArray value = line.mid(colon + 1).trimmed();
        // Headers that may come more than once are joined as a list, as HTTP allows.
        const auto add
            = [&value](QByteArray &to) { to = to.isEmpty() ? value : to + ", " + value; };
        if (name == "host")
            host = value;
        else if (name == "upgrade")
            add(upgrade);
        else if (name == "connection")
            add(connection);
        else if (name == "sec-websocket-key")
            key = value;
        else if (name == "sec-websocket-version")
            add(wsVersion);
        else if (name == "sec-websocket-protocol")
            add(protocols);
        else if (name == "origin") {
            origin = value;
            haveOrigin = true;
        }
    }
    if (host.isEmpty())
        return refuse(400, QStringLiteral("no Host"));
    if (!hasToken(upgrade, "websocket"))
        return refuse(400, QStringLiteral("no Upgrade: websocket"));
    if (!hasToken(connection, "upgrade"))
        return refuse(400, QStringLiteral("no Connection: upgrade"));
    if (!hasToken(wsVersion, "13"))
        return refuse(400, QStringLiteral("not WebSocket version 13"));
    if (QByteArray::fromBase64(key).size() != 16)
        return refuse(400, QStringLiteral("no valid Sec-WebSocket-Key"));
    if (!originAllowed(haveOrigin ? QString::fromUtf8(origin) : QString()))
        return refuse(403, QStringLiteral("origin not allowed"));

    HandshakeAnswer a;
    a.accepted = true;
    a.status = 101;
    a.guest = !hasToken(protocols, subprotocol);
    a.response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                 "Connection: Upgrade\r\nSec-WebSocket-Accept: "
        + acceptKey(key) + "\r\n";
    if (!a.guest)
        a.response += "Sec-WebSocket-Protocol: " + subprotocol + "\r\n";
    a.response += "Server: Confab\r\n\r\n";
    return a;
}

QByteArray frame(quint8 opcode, QByteArrayView payload)
{
    const quint64 n = quint64(payload.size());
    QByteArray f;
    f.reserve(payload.size() + 10);
    f.append(char(0x80 | opcode));
    if (n < 126) {
        f.append(char(n));
    } else if (n <= 0xFFFF) {
        f.append(char(126)).append(char(n >> 8)).append(char(n & 0xFF));
    } else {
        f.append(char(127));
        for (int i = 7; i >= 0; --i)
            f.append(char((n >> (8 * i)) & 0xFF));
    }
    f.append(payload);
    return f;
}

QByteArray closeFrame(quint16 code, const QString &reason)
{
    QByteArray payload;
    payload.append(char(code >> 8)).append(char(code & 0xFF));
    QByteArray utf8 = reason.toUtf8();
    if (utf8.size() > 123) {
        qsizetype cut = 123;
        while (cut > 0 && (quint8(utf8.at(cut)) & 0xC0) == 0x80)
            --cut; // not inside a character
        utf8.truncate(cut);
    }
    payload.append(utf8);
    return frame(Close, payload);
}

bool isValidCloseCode(quint16 code)
{
    if (code >= 3000 && code <= 4999)
        return true;
    return code >= 1000 && code <= 1011 && code != 1004 && code != 1005 && code != 1006;
}

bool isValidUtf8(QByteArrayView bytes)
{
    const auto *p = reinterpret_cast<const quint8 *>(bytes.data());
    const quint8 *const end = p + bytes.size();
    while (p < end) {
        // ASCII eight bytes at a time.
        while (end - p >= 8) {
            quint64 w;
            memcpy(&w, p, 8);
            if (w & 0x8080808080808080ULL)
                break;
            p += 8;
        }
        if (p >= end)
            break;
        const quint8 c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        int extra;
        quint32 cp;
        if (c >= 0xC2 && c <= 0xDF) {
            extra = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            extra = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return false; // a continuation byte, C0/C1 (always overlong), or F5-FF
        }
        if (end - p <= extra)
            return false;
        for (int i = 1; i <= extra; ++i) {
            const quint8 cc = p[i];
            if ((cc & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if ((extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) || cp > 0x10FFFF
            || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        p += extra + 1;
    }
    return true;
}

} // namespace WsDirect
