// Protocol v1 codec: every message type survives encode -> decode unchanged, and each kind
// of malformed input is refused with its stable error code.
#include "common/codec.h"
#include "common/limits.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Confab;
using namespace Confab::Protocol;

Q_DECLARE_METATYPE(Protocol::ClientMessage)
Q_DECLARE_METATYPE(Protocol::ServerMessage)

class TestCodec : public QObject
{
    Q_OBJECT

private:
    static ChatMessage sample(qint64 seq, const QString &text)
    {
        return ChatMessage { QStringLiteral("id-%1").arg(seq), seq, QStringLiteral("Alice"),
                             parseTime(QStringLiteral("2026-11-22T09:30:00.123Z")), text, {}, {}, false,
                             false, {} };
    }

private Q_SLOTS:
    void clientRoundTrip_data()
    {
        QTest::addColumn<ClientMessage>("message");
        QTest::newRow("hello") << ClientMessage(Hello { 1, QStringLiteral("Alice"), -1, {}, {} });
        QTest::newRow("hello-resume")
            << ClientMessage(Hello { 1, QStringLiteral("민수"), 42, QStringLiteral("tok"), {} });
        QTest::newRow("hello-password")
            << ClientMessage(Hello { 1, QStringLiteral("Bob"), -1, {}, QStringLiteral("s3cret") });
        QTest::newRow("chat") << ClientMessage(
            SendChat { QStringLiteral("c-1"), QStringLiteral("안녕하세요 👋\nline two"), {}, {} });
        QTest::newRow("chat-dm-reply") << ClientMessage(SendChat { QStringLiteral("c-2"), QStringLiteral("psst"), QStringLiteral("Bob"), QStringLiteral("id-1") });
        QTest::newRow("edit") << ClientMessage(EditMessage { QStringLiteral("id-1"), QStringLiteral("fixed") });
        QTest::newRow("delete") << ClientMessage(DeleteMessage { QStringLiteral("id-1") });
        QTest::newRow("react") << ClientMessage(React { QStringLiteral("id-1"), QStringLiteral("👍"), false });
        QTest::newRow("search") << ClientMessage(SearchRequest { QStringLiteral("회의"), 20 });
        QTest::newRow("history-before") << ClientMessage(HistoryRequest { 100, -1, 50 });
        QTest::newRow("history-after") << ClientMessage(HistoryRequest { -1, 7, 500 });
        QTest::newRow("members") << ClientMessage(MembersRequest {});
        QTest::newRow("ping") << ClientMessage(Ping { QStringLiteral("p1") });
        QTest::newRow("pong") << ClientMessage(Pong { QStringLiteral("p1") });
        QTest::newRow("typing") << ClientMessage(SetTyping { true });
        QTest::newRow("typing-stop") << ClientMessage(SetTyping { false });
        QTest::newRow("presence") << ClientMessage(SetPresence { QStringLiteral("away") });
    }
    void clientRoundTrip()
    {
        QFETCH(ClientMessage, message);
        const QByteArray json = Codec::encode(message);
        const auto decoded = Codec::decodeClient(json);
        QVERIFY2(decoded.ok(), qPrintable(decoded.error.message));
        QVERIFY(*decoded.value == message);
    }

    void serverRoundTrip_data()
    {
        QTest::addColumn<ServerMessage>("message");
        Welcome w;
        w.room = QStringLiteral("Lab 2");
        w.nick = QStringLiteral("Alice");
        w.members = { Member { QStringLiteral("Alice") }, Member { QStringLiteral("Bob") } };
        w.history = { sample(1, QStringLiteral("hi")), sample(2, QStringLiteral("<b>x</b>")) };
        w.hasOlder = true;
        w.lastSeq = 2;
        w.resumeToken = QStringLiteral("token");
        QTest::newRow("welcome") << ServerMessage(w);
        QTest::newRow("chat") << ServerMessage(sample(7, QStringLiteral("한국어 text")));
        ChatMessage rich = sample(8, QStringLiteral("psst"));
        rich.to = QStringLiteral("Bob");
        rich.replyTo = QStringLiteral("id-7");
        rich.edited = true;
        rich.reactions = { Reaction { QStringLiteral("👍"), { QStringLiteral("Bob"), QStringLiteral("민수") } } };
        QTest::newRow("chat-rich") << ServerMessage(rich);
        ChatMessage gone = sample(9, QString());
        gone.deleted = true;
        QTest::newRow("update") << ServerMessage(MessageUpdated { gone });
        QTest::newRow("results") << ServerMessage(SearchResults { QStringLiteral("psst"), { rich } });
        QTest::newRow("ack")
            << ServerMessage(Ack { QStringLiteral("c-1"), QStringLiteral("id-7"), 7 });
        QTest::newRow("joined") << ServerMessage(Joined { QStringLiteral("Bob"), sample(1, {}).time });
        QTest::newRow("left") << ServerMessage(Left { QStringLiteral("Bob"), sample(1, {}).time });
        QTest::newRow("members")
            << ServerMessage(Members { { Member { QStringLiteral("Alice") } } });
        QTest::newRow("history")
            << ServerMessage(HistoryPage { 10, -1, { sample(8, QStringLiteral("a")) }, true });
        QTest::newRow("error") << ServerMessage(Error { QString::fromLatin1(ErrorCode::NickTaken),
                                                        QStringLiteral("taken"), {}, -1 });
        QTest::newRow("error-for-message")
            << ServerMessage(Error { QString::fromLatin1(ErrorCode::TextTooLong),
                                     QStringLiteral("too long"), QStringLiteral("c-9"), -1 });
        QTest::newRow("error-retry")
            << ServerMessage(Error { QString::fromLatin1(ErrorCode::RateLimited),
                                     QStringLiteral("slow down"), QStringLiteral("c-9"), 1200 });
        QTest::newRow("pong") << ServerMessage(Pong { QStringLiteral("t") });
        QTest::newRow("ping") << ServerMessage(Ping { QStringLiteral("t") });
        QTest::newRow("typing") << ServerMessage(Typing { QStringLiteral("민수"), true });
        QTest::newRow("presence")
            << ServerMessage(PresenceChanged { QStringLiteral("Bob"), QStringLiteral("away") });
        QTest::newRow("members-away") << ServerMessage(Members {
            { Member { QStringLiteral("Bob"), QStringLiteral("away") } } });
    }
    void serverRoundTrip()
    {
        QFETCH(ServerMessage, message);
        const QByteArray json = Codec::encode(message);
        const auto decoded = Codec::decodeServer(json);
        QVERIFY2(decoded.ok(), qPrintable(decoded.error.message));
        QVERIFY(*decoded.value == message);
    }

    void chatWireFormat()
    {
        // The exact shape docs/PROTOCOL.md shows.
        const QByteArray json = Codec::encode(ServerMessage(sample(7, QStringLiteral("hi"))));
        const QJsonObject o = QJsonDocument::fromJson(json).object();
        QCOMPARE(o.value(QLatin1String("type")).toString(), QStringLiteral("chat"));
        QCOMPARE(o.value(QLatin1String("seq")).toInteger(), 7);
        QCOMPARE(o.value(QLatin1String("time")).toString(),
                 QStringLiteral("2026-11-22T09:30:00.123Z"));
        QCOMPARE(o.value(QLatin1String("from")).toString(), QStringLiteral("Alice"));
    }

    void malformed_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("code");
        const QString badJson = QString::fromLatin1(ErrorCode::BadJson);
        const QString badMessage = QString::fromLatin1(ErrorCode::BadMessage);
        const QString unknown = QString::fromLatin1(ErrorCode::UnknownType);
        QTest::newRow("not json") << QByteArray("hello there") << badJson;
        QTest::newRow("truncated") << QByteArray("{\"type\":\"chat\"") << badJson;
        QTest::newRow("array") << QByteArray("[1,2]") << badJson;
        QTest::newRow("string") << QByteArray("\"chat\"") << badJson;
        QTest::newRow("empty") << QByteArray("") << badJson;
        QTest::newRow("duplicate key")
            << QByteArray(R"({"type":"chat","clientId":"a","text":"x","text":"y"})") << badJson;
        QTest::newRow("duplicate escaped key")
            << QByteArray(R"({"type":"chat","clientId":"a","text":"x","t\u0065xt":"y"})")
            << badJson;
        QTest::newRow("duplicate nested key")
            << QByteArray(R"({"type":"ping","x":{"a":1,"a":2}})") << badJson;
        QTest::newRow("no type") << QByteArray(R"({"text":"x"})") << badMessage;
        QTest::newRow("type not string") << QByteArray(R"({"type":5})") << badMessage;
        QTest::newRow("unknown type") << QByteArray(R"({"type":"dance"})") << unknown;
        QTest::newRow("hello no nick") << QByteArray(R"({"type":"hello","version":1})") << badMessage;
        QTest::newRow("hello nick number")
            << QByteArray(R"({"type":"hello","version":1,"nick":7})") << badMessage;
        QTest::newRow("hello version string")
            << QByteArray(R"({"type":"hello","version":"1","nick":"a"})") << badMessage;
        QTest::newRow("hello version fraction")
            << QByteArray(R"({"type":"hello","version":1.5,"nick":"a"})") << badMessage;
        QTest::newRow("hello negative lastSeq")
            << QByteArray(R"({"type":"hello","version":1,"nick":"a","lastSeq":-5})") << badMessage;
        QTest::newRow("chat no clientId") << QByteArray(R"({"type":"chat","text":"x"})") << badMessage;
        QTest::newRow("chat empty clientId")
            << QByteArray(R"({"type":"chat","clientId":"","text":"x"})") << badMessage;
        QTest::newRow("chat long clientId")
            << QByteArray(R"({"type":"chat","clientId":")" + QByteArray(65, 'x') + R"(","text":"x"})")
            << badMessage;
        QTest::newRow("chat text null")
            << QByteArray(R"({"type":"chat","clientId":"a","text":null})") << badMessage;
        QTest::newRow("chat text object")
            << QByteArray(R"({"type":"chat","clientId":"a","text":{}})") << badMessage;
        QTest::newRow("history neither") << QByteArray(R"({"type":"history"})") << badMessage;
        QTest::newRow("history both")
            << QByteArray(R"({"type":"history","before":5,"after":1})") << badMessage;
        QTest::newRow("typing no active") << QByteArray(R"({"type":"typing"})") << badMessage;
        QTest::newRow("presence unknown")
            << QByteArray(R"({"type":"presence","status":"invisible"})") << badMessage;
        QTest::newRow("history limit zero")
            << QByteArray(R"({"type":"history","before":5,"limit":0})") << badMessage;
    }
    void malformed()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, code);
        const auto decoded = Codec::decodeClient(json);
        QVERIFY(!decoded.ok());
        QCOMPARE(decoded.error.code, code);
        QVERIFY(!decoded.error.message.isEmpty());
    }

    void fromIsIgnored()
    {
        // A client cannot name the sender: the field is not even read.
        const auto decoded = Codec::decodeClient(
            R"({"type":"chat","clientId":"a","text":"x","from":"Mallory"})");
        QVERIFY(decoded.ok());
        QVERIFY(std::holds_alternative<SendChat>(*decoded.value));
    }

    void historyLimitIsCapped()
    {
        const auto decoded = Codec::decodeClient(R"({"type":"history","before":5,"limit":100000})");
        QVERIFY(decoded.ok());
        QCOMPARE(std::get<HistoryRequest>(*decoded.value).limit, Limits::MaxHistoryPage);
    }

    void serverMalformed()
    {
        QCOMPARE(Codec::decodeServer(R"({"type":"chat","id":"x","seq":"1","from":"a","time":"2026-11-22T09:30:00.000Z","text":"t"})")
                     .error.code,
                 QString::fromLatin1(ErrorCode::BadMessage));
        QCOMPARE(Codec::decodeServer(R"({"type":"chat","id":"x","seq":1,"from":"a","time":"yesterday","text":"t"})")
                     .error.code,
                 QString::fromLatin1(ErrorCode::BadMessage));
        QCOMPARE(Codec::decodeServer(R"({"type":"welcome","version":1,"room":"r","nick":"n","members":[1],"history":[],"hasOlder":false,"lastSeq":0})")
                     .error.code,
                 QString::fromLatin1(ErrorCode::BadMessage));
    }
};

QTEST_GUILESS_MAIN(TestCodec)
#include "tst_codec.moc"
