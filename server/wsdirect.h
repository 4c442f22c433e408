#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <functional>

// The small part of RFC 6455 a plain ws:// room needs, written over Confab's own
// DirectTcpSocket instead of a QWebSocket per connection (about 5.6 KB each: its private
// part, twenty-odd signal connections, the request's headers and URL, a timer, proxy and
// TLS settings; docs/PERFORMANCE.md). The handshake is answered here; frames are read by
// Session (server/session.cpp), which keeps the little state they need. wss:// rooms still
// go through QWebSocket.
namespace WsDirect {

enum Opcode : quint8 {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
};

// RFC 6455 close codes used by the reader itself (the rest are Confab's, common/protocol.h).
enum : quint16 {
    CloseNormal = 1000,
    CloseGoingAway = 1001,
    CloseProtocolError = 1002,
    CloseBadData = 1007, // invalid UTF-8
    CloseTooBig = 1009,
};

struct HandshakeAnswer
{
    // The bytes to write back: a 101 when `accepted`, else a 400 or 403 after which the
    // connection is closed.
    QByteArray response;
    bool accepted = false;
    bool guest = false; // no confab.v1 offered: a plain-text guest
    int status = 0; // 101, 400, 403
    QString reason; // why a handshake was refused, for the log
};

// Answers a WebSocket upgrade request. `head` is the request up to (not including) the
// blank line. `originAllowed` is asked about the Origin header ("" when there is none).
HandshakeAnswer answerHandshake(QByteArrayView head, const QByteArray &subprotocol,
                                const std::function<bool(const QString &)> &originAllowed);

// Sec-WebSocket-Accept for a Sec-WebSocket-Key.
QByteArray acceptKey(QByteArrayView key);

// One unmasked, final frame as a server sends it.
QByteArray frame(quint8 opcode, QByteArrayView payload);
// A close frame: the code, then the reason as UTF-8 cut to the 123 bytes a control frame
// leaves it (at a character boundary).
QByteArray closeFrame(quint16 code, const QString &reason);

// Whether a peer may send this code in a close frame (RFC 6455 §7.4).
bool isValidCloseCode(quint16 code);

// Whether `bytes` is well-formed UTF-8 (no overlong forms, surrogates, or code points
// past U+10FFFF); the checks Qt's own reader makes.
bool isValidUtf8(QByteArrayView bytes);

} // namespace WsDirect
