// The conversation features on the server, with who may do what: editing and deleting
// one's own messages (and only those), replies, reactions with counts, direct messages
// that reach nobody else (a third client listens), and search that respects both.
#include "common/limits.h"
#include "server/room.h"
#include "serverfixture.h"
#include "testclient.h"

#include <QJsonArray>

class TestConversation : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<ServerFixture> fixture; // a fresh room (and data dir) per test
    ServerFixture *fx() { return fixture.get(); }
    TestClient *alice = nullptr, *bob = nullptr, *carol = nullptr;

    // Sends and returns the stored message as the room broadcast it.
    static QJsonObject say(TestClient &from, TestClient &seenBy, const QString &text,
                           const QString &extra = {})
    {
        const QString clientId = QStringLiteral("c%1").arg(qHash(text));
        from.sendJson(QStringLiteral(R"({"type":"chat","clientId":"%1","text":"%2"%3})")
                          .arg(clientId, text, extra)
                          .toUtf8());
        // The chat with this text (others may be waiting untaken before it).
        QJsonObject found;
        const bool seen = QTest::qWaitFor([&] {
            for (const QJsonObject &o : seenBy.ofType(QStringLiteral("chat"))) {
                if (o.value(QLatin1String("text")).toString() == text)
                    return (found = o), true;
            }
            return false;
        }, 5000);
        if (!seen)
            qWarning("not seen: %s", qPrintable(text));
        return found;
    }
    static QJsonObject lastOf(TestClient &c, const QString &type) { return c.waitFor(type); }

private Q_SLOTS:
    void init()
    {
        fixture = std::make_unique<ServerFixture>();
        ServerConfig config;
        config.maxRate = 0;
        QVERIFY(fixture->start(config));
        alice = new TestClient(this);
        bob = new TestClient(this);
        carol = new TestClient(this);
        QVERIFY(!alice->join(fixture->url(), QStringLiteral("Alice")).isEmpty());
        QVERIFY(!bob->join(fixture->url(), QStringLiteral("Bob")).isEmpty());
        QVERIFY(!carol->join(fixture->url(), QStringLiteral("Carol")).isEmpty());
    }
    void cleanup()
    {
        delete alice;
        delete bob;
        delete carol;
        fixture.reset();
    }

    void editOwnOnly()
    {
        const QJsonObject msg = say(*alice, *bob, QStringLiteral("helo"));
        const QString id = msg.value(QLatin1String("id")).toString();
        // Bob may not edit Alice's message.
        bob->sendJson(QStringLiteral(R"({"type":"edit","id":"%1","text":"pwned"})").arg(id).toUtf8());
        QCOMPARE(bob->waitFor(QStringLiteral("error")).value(QLatin1String("code")).toString(), QStringLiteral("not-allowed"));
        // Alice may.
        alice->sendJson(QStringLiteral(R"({"type":"edit","id":"%1","text":"hello"})").arg(id).toUtf8());
        const QJsonObject update = carol->waitFor(QStringLiteral("update"));
        QCOMPARE(update.value(QLatin1String("id")).toString(), id);
        QCOMPARE(update.value(QLatin1String("seq")), msg.value(QLatin1String("seq")));
        QCOMPARE(update.value(QLatin1String("text")).toString(), QStringLiteral("hello"));
        QVERIFY(update.value(QLatin1String("edited")).toBool());
        QCOMPARE(carol->ofType(QStringLiteral("update")).size(), 1); // Bob's try changed nothing
        // Someone joining later sees it edited.
        TestClient late;
        const QJsonObject first = late.join(fixture->url(), QStringLiteral("Late")).value(QLatin1String("history")).toArray().first().toObject();
        QCOMPARE(first.value(QLatin1String("text")).toString(), QStringLiteral("hello"));
        QVERIFY(first.value(QLatin1String("edited")).toBool());
    }

    void deleteOwnOnly()
    {
        const QString id = say(*alice, *bob, QStringLiteral("oops")).value(QLatin1String("id")).toString();
        carol->sendJson(QStringLiteral(R"({"type":"delete","id":"%1"})").arg(id).toUtf8());
        QCOMPARE(carol->waitFor(QStringLiteral("error")).value(QLatin1String("code")).toString(), QStringLiteral("not-allowed"));
        alice->sendJson(QStringLiteral(R"({"type":"delete","id":"%1"})").arg(id).toUtf8());
        const QJsonObject update = bob->waitFor(QStringLiteral("update"));
        QVERIFY(update.value(QLatin1String("deleted")).toBool());
        QCOMPARE(update.value(QLatin1String("text")).toString(), QString());
        TestClient late;
        const QJsonObject first = late.join(fixture->url(), QStringLiteral("Late")).value(QLatin1String("history")).toArray().first().toObject();
        QVERIFY(first.value(QLatin1String("deleted")).toBool());
        QCOMPARE(first.value(QLatin1String("text")).toString(), QString());
        // Gone for editing and reacting too.
        alice->sendJson(QStringLiteral(R"({"type":"edit","id":"%1","text":"back"})").arg(id).toUtf8());
        QCOMPARE(alice->waitFor(QStringLiteral("error")).value(QLatin1String("code")).toString(), QStringLiteral("not-found"));
        bob->sendJson(QStringLiteral(R"({"type":"react","id":"%1","emoji":"👍","add":true})").arg(id).toUtf8());
        QCOMPARE(bob->waitFor(QStringLiteral("error")).value(QLatin1String("code")).toString(), QStringLiteral("not-found"));
    }

    void replies()
    {
        const QString id = say(*alice, *bob, QStringLiteral("lunch?")).value(QLatin1String("id")).toString();
        const QJsonObject reply = say(*bob, *carol, QStringLiteral("yes!"), QStringLiteral(R"(,"replyTo":"%1")").arg(id));
        QCOMPARE(reply.value(QLatin1String("replyTo")).toString(), id);
        bob->sendJson(R"({"type":"chat","clientId":"r2","text":"to nothing","replyTo":"no-such-id"})");
        const QJsonObject error = bob->waitFor(QStringLiteral("error"));
        QCOMPARE(error.value(QLatin1String("code")).toString(), QStringLiteral("not-found"));
        QCOMPARE(error.value(QLatin1String("clientId")).toString(), QStringLiteral("r2"));
    }

    void reactions()
    {
        const QString id = say(*alice, *bob, QStringLiteral("ship it")).value(QLatin1String("id")).toString();
        const auto react = [&](TestClient *who, const QString &emoji, bool add) {
            who->sendJson(QStringLiteral(R"({"type":"react","id":"%1","emoji":"%2","add":%3})")
                              .arg(id, emoji, add ? QStringLiteral("true") : QStringLiteral("false"))
                              .toUtf8());
            return alice->waitFor(QStringLiteral("update")).value(QLatin1String("reactions")).toArray();
        };
        QJsonArray r = react(bob, QStringLiteral("👍"), true);
        QCOMPARE(r.size(), 1);
        QCOMPARE(r.at(0).toObject().value(QLatin1String("emoji")).toString(), QStringLiteral("👍"));
        QCOMPARE(r.at(0).toObject().value(QLatin1String("nicks")).toArray().size(), 1);
        r = react(carol, QStringLiteral("👍"), true);
        QCOMPARE(r.at(0).toObject().value(QLatin1String("nicks")).toArray().size(), 2);
        r = react(carol, QStringLiteral("🎉"), true);
        QCOMPARE(r.size(), 2);
        r = react(bob, QStringLiteral("👍"), true); // twice is once
        QCOMPARE(r.at(0).toObject().value(QLatin1String("nicks")).toArray().size(), 2);
        r = react(bob, QStringLiteral("👍"), false);
        QCOMPARE(r.at(0).toObject().value(QLatin1String("nicks")).toArray(), QJsonArray { QStringLiteral("Carol") });
        TestClient late;
        const QJsonObject first = late.join(fixture->url(), QStringLiteral("Late")).value(QLatin1String("history")).toArray().first().toObject();
        QCOMPARE(first.value(QLatin1String("reactions")).toArray().size(), 2);
    }

    void reactionKindsAreCapped()
    {
        const QString id = say(*alice, *bob, QStringLiteral("react away")).value(QLatin1String("id")).toString();
        for (int i = 0; i < Confab::Limits::MaxReactionKinds; ++i)
            bob->sendJson(QStringLiteral(R"({"type":"react","id":"%1","emoji":"e%2","add":true})").arg(id).arg(i).toUtf8());
        QTRY_COMPARE(alice->ofType(QStringLiteral("update")).size(), Confab::Limits::MaxReactionKinds);
        bob->sendJson(QStringLiteral(R"({"type":"react","id":"%1","emoji":"one too many","add":true})").arg(id).toUtf8());
        QCOMPARE(bob->waitFor(QStringLiteral("error")).value(QLatin1String("code")).toString(), QStringLiteral("not-allowed"));
        // An emoji already there can still gain people.
        carol->sendJson(QStringLiteral(R"({"type":"react","id":"%1","emoji":"e0","add":true})").arg(id).toUtf8());
        QTRY_COMPARE(alice->ofType(QStringLiteral("update")).size(), Confab::Limits::MaxReactionKinds + 1);
    }

    void resentDirectMessageIsAckedAfterTheRecipientLeft()
    {
        alice->sendJson(R"({"type":"chat","clientId":"dm-once","text":"for Bob","to":"Bob"})");
        const QJsonObject ack = alice->waitFor(QStringLiteral("ack"));
        delete bob;
        bob = nullptr;
        QTRY_COMPARE(fixture->server->room()->memberCount(), 2);
        // The ack was lost, say: the resend is acknowledged again, not refused.
        alice->sendJson(R"({"type":"chat","clientId":"dm-once","text":"for Bob","to":"Bob"})");
        const QJsonObject again = alice->waitFor(QStringLiteral("ack"));
        QCOMPARE(again.value(QLatin1String("seq")), ack.value(QLatin1String("seq")));
        QCOMPARE(alice->ofType(QStringLiteral("error")).size(), 0);
    }

    void directMessagesReachOnlyTheTwo()
    {
        alice->sendJson(R"({"type":"chat","clientId":"dm1","text":"psst, Bob","to":"bob"})");
        const QJsonObject atBob = bob->waitFor(QStringLiteral("chat"));
        QCOMPARE(atBob.value(QLatin1String("to")).toString(), QStringLiteral("Bob"));
        QCOMPARE(atBob.value(QLatin1String("from")).toString(), QStringLiteral("Alice"));
        QCOMPARE(alice->waitFor(QStringLiteral("chat")).value(QLatin1String("text")).toString(), QStringLiteral("psst, Bob"));
        // A room message afterwards proves Carol has seen everything she will see.
        say(*alice, *carol, QStringLiteral("hi all"));
        QCOMPARE(carol->ofType(QStringLiteral("chat")).size(), 1);
        QCOMPARE(carol->ofType(QStringLiteral("chat")).first().value(QLatin1String("text")).toString(), QStringLiteral("hi all"));

        // After reconnecting: Bob still has it; Carol's history, paging and search do not.
        const QString dmId = atBob.value(QLatin1String("id")).toString();
        TestClient bob2, carol2;
        delete bob;
        bob = nullptr;
        QTRY_COMPARE(fixture->server->room()->memberCount(), 2);
        QCOMPARE(bob2.join(fixture->url(), QStringLiteral("Bob")).value(QLatin1String("history")).toArray().size(), 2);
        QCOMPARE(carol2.join(fixture->url(), QStringLiteral("Carol2")).value(QLatin1String("history")).toArray().size(), 1);
        carol2.sendJson(R"({"type":"history","before":100,"limit":100})");
        QCOMPARE(carol2.waitFor(QStringLiteral("history")).value(QLatin1String("messages")).toArray().size(), 1);
        carol2.sendJson(R"({"type":"search","query":"psst"})");
        QCOMPARE(carol2.waitFor(QStringLiteral("results")).value(QLatin1String("messages")).toArray().size(), 0);
        bob2.sendJson(R"({"type":"search","query":"PSST"})");
        QCOMPARE(bob2.waitFor(QStringLiteral("results")).value(QLatin1String("messages")).toArray().size(), 1);
        // And Carol cannot touch it by id.
        carol->sendJson(QStringLiteral(R"({"type":"react","id":"%1","emoji":"👀","add":true})").arg(dmId).toUtf8());
        QCOMPARE(carol->waitFor(QStringLiteral("error")).value(QLatin1String("code")).toString(), QStringLiteral("not-found"));
        // An edit of it reaches the two parties only.
        alice->sendJson(QStringLiteral(R"json({"type":"edit","id":"%1","text":"psst (edited)"})json").arg(dmId).toUtf8());
        QCOMPARE(bob2.waitFor(QStringLiteral("update")).value(QLatin1String("text")).toString(), QStringLiteral("psst (edited)"));
        say(*alice, *carol, QStringLiteral("marker"));
        QCOMPARE(carol->ofType(QStringLiteral("update")).size(), 0);
        QCOMPARE(carol2.ofType(QStringLiteral("update")).size(), 0);
    }

    void directMessageRefusals()
    {
        alice->sendJson(R"({"type":"chat","clientId":"x1","text":"hi","to":"Nobody"})");
        QCOMPARE(alice->waitFor(QStringLiteral("error")).value(QLatin1String("code")).toString(), QStringLiteral("not-found"));
        alice->sendJson(R"({"type":"chat","clientId":"x2","text":"hi me","to":"alice"})");
        QCOMPARE(alice->waitFor(QStringLiteral("error")).value(QLatin1String("clientId")).toString(), QStringLiteral("x2"));
        QWebSocket guest;
        QSignalSpy connected(&guest, &QWebSocket::connected);
        guest.open(fixture->url());
        QVERIFY(connected.wait(5000));
        QVERIFY(!bob->waitFor(QStringLiteral("joined")).isEmpty());
        alice->sendJson(R"({"type":"chat","clientId":"x3","text":"hi guest","to":"guest-1"})");
        QCOMPARE(alice->waitFor(QStringLiteral("error")).value(QLatin1String("clientId")).toString(), QStringLiteral("x3"));
    }

    void search()
    {
        say(*alice, *bob, QStringLiteral("Meeting at 3 in room 2"));
        say(*bob, *carol, QStringLiteral("회의는 3시입니다"));
        say(*carol, *alice, QStringLiteral("100% sure"));
        const auto find = [&](const QString &q) {
            carol->sendJson(QStringLiteral(R"({"type":"search","query":"%1"})").arg(q).toUtf8());
            return carol->waitFor(QStringLiteral("results")).value(QLatin1String("messages")).toArray();
        };
        QCOMPARE(find(QStringLiteral("meeting")).size(), 1);
        QCOMPARE(find(QStringLiteral("회의")).size(), 1);
        QCOMPARE(find(QStringLiteral("3")).size(), 2);
        QCOMPARE(find(QStringLiteral("%")).size(), 1); // literal, not a wildcard
        QCOMPARE(find(QStringLiteral("_")).size(), 0);
        QCOMPARE(find(QStringLiteral("nothing like this")).size(), 0);
        // Newest first.
        QCOMPARE(find(QStringLiteral("3")).first().toObject().value(QLatin1String("from")).toString(), QStringLiteral("Bob"));
    }
};

QTEST_GUILESS_MAIN(TestConversation)
#include "tst_conversation.moc"
