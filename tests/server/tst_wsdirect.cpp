// The WebSocket endpoint a plain ws:// room speaks itself (server/wsdirect.h and Session):
// the handshake's answers, and the RFC 6455 rules a hand-written peer can break.
#include "rawsocket.h"
#include "server/room.h"
#include "server/wsdirect.h"
#include "serverfixture.h"

#include "common/codec.h"

using namespace Confab::Protocol;

namespace {
QByteArray request(const QByteArray &headers)
{
    return "GET / HTTP/1.1\r\nHost: x\r\n" + headers;
}
const QByteArray Valid = "Upgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
                         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13";
} // namespace

class TestWsDirect : public QObject
{
    Q_OBJECT

private:
    static QByteArray hello(const QString &nick)
    {
        return Confab::Codec::encode(ClientMessage(Hello { 1, nick, -1, {}, {} }));
    }
    // A peer that has joined, or a failed QVERIFY.
    static bool join(ServerFixture &f, RawSocket &r, const QString &nick)
    {
        if (!r.handshake(f.url()))
            return false;
        r.sendText(hello(nick));
        return QTest::qWaitFor(
            [&] {
                r.closeCode();
                return !r.texts.isEmpty() && r.texts.first().contains("welcome");
            },
            5000);
    }
    // Sends raw bytes and returns the close code the room answers with.
    static std::optional<int> closedWith(RawSocket &r, const QByteArray &bytes)
    {
        r.socket.write(bytes);
        std::optional<int> code;
        if (!QTest::qWaitFor([&] { return (code = r.closeCode()).has_value(); }, 5000))
            return std::nullopt;
        return code;
    }

private Q_SLOTS:
    void acceptKey()
    {
        // RFC 6455 §1.3's example.
        QCOMPARE(WsDirect::acceptKey("dGhlIHNhbXBsZSBub25jZQ=="),
                 QByteArray("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
    }

    void handshake_data()
    {
        QTest::addColumn<QByteArray>("head");
        QTest::addColumn<int>("status");
        QTest::addColumn<bool>("guest");
        QTest::newRow("member") << request(Valid + "\r\nSec-WebSocket-Protocol: chat, confab.v1")
                                << 101 << false;
        QTest::newRow("guest") << request(Valid) << 101 << true;
        QTest::newRow("other protocol: guest")
            << request(Valid + "\r\nSec-WebSocket-Protocol: chat") << 101 << true;
        QTest::newRow("POST") << QByteArray("POST / HTTP/1.1\r\nHost: x\r\n" + Valid) << 400
                              << false;
        QTest::newRow("HTTP/1.0") << QByteArray("GET / HTTP/1.0\r\nHost: x\r\n" + Valid) << 400
                                  << false;
        QTest::newRow("no host") << QByteArray("GET / HTTP/1.1\r\n" + Valid) << 400 << false;
        QTest::newRow("version 8")
            << request("Upgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8")
            << 400 << false;
        QTest::newRow("no key") << request("Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                           "Sec-WebSocket-Version: 13")
                                << 400 << false;
        QTest::newRow("short key")
            << request("Upgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Key: abcd\r\nSec-WebSocket-Version: 13")
            << 400 << false;
        QTest::newRow("no connection upgrade")
            << request("Upgrade: websocket\r\nConnection: keep-alive\r\n"
                       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13")
            << 400 << false;
        QTest::newRow("refused origin")
            << request(Valid + "\r\nOrigin: http://evil.example") << 403 << false;
    }
    void handshake()
    {
        QFETCH(QByteArray, head);
        QFETCH(int, status);
        QFETCH(bool, guest);
        const auto answer = WsDirect::answerHandshake(head, "confab.v1",
                                                      [](const QString &o) { return o.isEmpty(); });
        QCOMPARE(answer.status, status);
        QCOMPARE(answer.accepted, status == 101);
        QVERIFY(answer.response.startsWith("HTTP/1.1 " + QByteArray::number(status)));
        if (status == 101) {
            QCOMPARE(answer.guest, guest);
            QVERIFY(
                answer.response.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
            QCOMPARE(answer.response.contains("Sec-WebSocket-Protocol: confab.v1\r\n"), !guest);
        }
    }

    void utf8_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<bool>("valid");
        QTest::newRow("ascii") << QByteArray("hello, world") << true;
        QTest::newRow("hangul") << QString::fromUtf8("안녕하세요").toUtf8() << true;
        QTest::newRow("emoji") << QByteArray("\xF0\x9F\x98\x80") << true;
        QTest::newRow("U+10FFFF") << QByteArray("\xF4\x8F\xBF\xBF") << true;
        QTest::newRow("C3 28") << QByteArray("\xC3\x28") << false;
        QTest::newRow("overlong /") << QByteArray("\xC0\xAF") << false;
        QTest::newRow("overlong 3") << QByteArray("\xE0\x80\xAF") << false;
        QTest::newRow("FF") << QByteArray("a\xFF") << false;
        QTest::newRow("surrogate") << QByteArray("\xED\xA0\x80") << false;
        QTest::newRow("past U+10FFFF") << QByteArray("\xF4\x90\x80\x80") << false;
        QTest::newRow("cut short") << QByteArray("abcdefgh\xE2\x82") << false;
    }
    void utf8()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(bool, valid);
        QCOMPARE(WsDirect::isValidUtf8(bytes), valid);
    }

    void closeReasonIsCutAtACharacter()
    {
        const QByteArray f = WsDirect::closeFrame(4000, QString(100, QChar(0xAC00)));
        QVERIFY(f.size() <= 2 + 125);
        QVERIFY(WsDirect::isValidUtf8(QByteArrayView(f).sliced(4)));
    }

    void badHandshakeGets400()
    {
        ServerFixture f;
        QVERIFY(f.start());
        RawSocket r;
        QVERIFY(r.connectTo(f.url()));
        r.socket.write(request("Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n"));
        QTRY_VERIFY(r.isGone());
        QVERIFY(r.socket.readAll().startsWith("HTTP/1.1 400 Bad Request\r\n"));
    }

    void unmaskedFrameCloses1002()
    {
        ServerFixture f;
        QVERIFY(f.start());
        RawSocket r;
        QVERIFY(r.handshake(f.url()));
        QCOMPARE(closedWith(r, QByteArray("\x81\x02hi", 4)), 1002);
    }

    void protocolErrorsClose1002_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::newRow("rsv bit") << QByteArray(RawSocket::frame(0x1, "{}")).replace(0, 1, "\xC1");
        QTest::newRow("opcode 3") << RawSocket::frame(0x3, "x");
        QTest::newRow("continuation first") << RawSocket::frame(0x0, "x");
        QTest::newRow("text inside a message")
            << RawSocket::frame(0x1, "{", false) + RawSocket::frame(0x1, "}");
        QTest::newRow("fragmented ping") << RawSocket::frame(0x9, "x", false);
        QTest::newRow("126-byte ping") << RawSocket::frame(0x9, QByteArray(126, 'x'));
        QTest::newRow("1-byte close") << RawSocket::frame(0x8, "x");
        QTest::newRow("close code 1005") << RawSocket::frame(0x8, QByteArray("\x03\xED", 2));
    }
    void protocolErrorsClose1002()
    {
        QFETCH(QByteArray, bytes);
        ServerFixture f;
        QVERIFY(f.start());
        RawSocket r;
        QVERIFY(r.handshake(f.url()));
        QCOMPARE(closedWith(r, bytes), 1002);
    }

    void fragmentsPingsAndClose()
    {
        ServerFixture f;
        QVERIFY(f.start());
        RawSocket r;
        QVERIFY(join(f, r, QStringLiteral("Frag")));
        r.texts.clear();
        // A JSON ping in three fragments with a WebSocket ping between them, in one write.
        r.socket.write(RawSocket::frame(0x1, "{\"type\":\"ping\",", false)
                       + RawSocket::frame(0x9, "abc") + RawSocket::frame(0x0, "\"token\":", false)
                       + RawSocket::frame(0x0, "\"t1\"}", true));
        QVERIFY(QTest::qWaitFor(
            [&] {
                r.closeCode();
                return !r.texts.isEmpty();
            },
            5000));
        QVERIFY(r.texts.first().contains("\"pong\""));
        QVERIFY(r.texts.first().contains("\"t1\""));
        // Our close is answered with the same code, and the connection ends.
        QCOMPARE(closedWith(r,
                            RawSocket::frame(0x8,
                                             QByteArray("\x0F\xA0"
                                                        "bye",
                                                        5))),
                 4000);
        QTRY_VERIFY(r.isGone());
        QTRY_COMPARE(f.server->room()->sessionCount(), 0);
        QTRY_COMPARE(f.server->connectionCount(), 0);
    }

    void pingIsAnsweredWithItsPayload()
    {
        ServerFixture f;
        QVERIFY(f.start());
        RawSocket r;
        QVERIFY(r.handshake(f.url()));
        r.sendFrame(0x9, "hello");
        QByteArray got;
        QVERIFY(QTest::qWaitFor(
            [&] {
                got += r.socket.readAll();
                return got.size() >= 7;
            },
            5000));
        QCOMPARE(got.left(7), QByteArray("\x8A\x05hello"));
    }

    void framesRightAfterTheHandshake()
    {
        // A peer that does not wait for the 101: its hello is in the same segment.
        ServerFixture f;
        QVERIFY(f.start());
        RawSocket r;
        QVERIFY(r.connectTo(f.url()));
        r.socket.write(request(Valid + "\r\nSec-WebSocket-Protocol: confab.v1\r\n\r\n")
                       + RawSocket::frame(0x1, hello(QStringLiteral("Eager"))));
        QTRY_COMPARE(f.server->room()->memberCount(), 1);
    }
};

QTEST_GUILESS_MAIN(TestWsDirect)
#include "tst_wsdirect.moc"
