// The chat window's conversation features against a real room on 127.0.0.1, with other
// members as plain ChatClients: the typing line, direct messages in their own tab (and
// only there), unread counts and notifications through a fake Notifier (muted: none),
// the context menu offering edit and delete on the user's own messages only, replies and
// reactions reaching the others, going away when idle, and a search result far back in
// history fetched and shown.

#include "app/core/chatclient.h"
#include "app/ui/chatwindow.h"
#include "app/ui/conversationfilter.h"
#include "app/ui/messagedelegate.h"
#include "app/ui/messageinput.h"
#include "app/ui/messageview.h"
#include "app/ui/notifier.h"
#include "app/ui/settings.h"
#include "common/membermodel.h"
#include "common/messagemodel.h"
#include "server/roomserver.h"

#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace {

class FakeNotifier final : public Notifier
{
public:
    void notify(const QString &title, const QString &body) override
    {
        notes.append({ title, body });
    }
    QList<QPair<QString, QString>> notes;
};

// The row of `model` whose text is `text`, or an invalid index.
QModelIndex rowWithText(const QAbstractItemModel *model, const QString &text)
{
    for (int row = 0; row < model->rowCount(); ++row) {
        const QModelIndex index = model->index(row, 0);
        if (index.data(MessageModel::TextRole).toString() == text)
            return index;
    }
    return {};
}

QAction *actionNamed(QMenu *menu, const QString &name)
{
    for (QAction *action : menu->actions()) {
        if (action->objectName() == name)
            return action;
    }
    return nullptr;
}

} // namespace

class TestConversations final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void typingLine();
    void typingInTheInputTellsOthers();
    void directMessagesHaveTheirOwnTab();
    void notificationsForMentionsAndDirectMessages();
    void mutedMeansNoNotifications();
    void editAndDeleteOnlyOwnMessages();
    void replyAndReact();
    void awayWhenIdle();
    void searchJumpsToAnOlderMessage();

private:
    void join(ChatClient &client, const QString &nick);
    std::unique_ptr<RoomServer> startServer(int welcomeHistory = 100);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<RoomServer> m_server;
    std::unique_ptr<Settings> m_settings;
};

void TestConversations::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_server = startServer();
    QVERIFY(m_server);
    m_settings = std::make_unique<Settings>(m_dir->filePath(QStringLiteral("settings.ini")));
}

void TestConversations::cleanup()
{
    m_server.reset();
    m_settings.reset();
    m_dir.reset();
}

std::unique_ptr<RoomServer> TestConversations::startServer(int welcomeHistory)
{
    ServerConfig config;
    config.bindAddress = QHostAddress::LocalHost;
    config.port = 0;
    config.roomName = QStringLiteral("Test room");
    config.dataDir = m_dir->path();
    config.welcomeHistory = welcomeHistory;
    auto server = std::make_unique<RoomServer>(config);
    return server->start() ? std::move(server) : nullptr;
}

void TestConversations::join(ChatClient &client, const QString &nick)
{
    client.open(m_server->url(), nick);
    QTRY_COMPARE(client.state(), ChatClient::State::Joined);
}

void TestConversations::typingLine()
{
    ChatClient alice, bob, carol;
    ChatWindow window(&alice);
    join(alice, QStringLiteral("alice"));
    join(bob, QStringLiteral("bob"));
    join(carol, QStringLiteral("carol"));
    auto *line = window.findChild<QLabel *>(QStringLiteral("typing"));
    QVERIFY(line);
    QVERIFY(line->isHidden());

    bob.setTyping(true);
    QTRY_COMPARE(window.typingText(), QStringLiteral("bob is typing…"));
    QVERIFY(!line->isHidden());
    carol.setTyping(true);
    QTRY_COMPARE(window.typingText(), QStringLiteral("bob and carol are typing…"));
    bob.sendMessage(QStringLiteral("done"));
    QTRY_COMPARE(window.typingText(), QStringLiteral("carol is typing…"));
    carol.setTyping(false);
    QTRY_COMPARE(window.typingText(), QString());
    QVERIFY(line->isHidden());
}

void TestConversations::typingInTheInputTellsOthers()
{
    ChatClient alice, bob;
    ChatWindow window(&alice);
    join(alice, QStringLiteral("alice"));
    join(bob, QStringLiteral("bob"));
    QTest::keyClicks(window.input(), QStringLiteral("hel"));
    QTRY_COMPARE(bob.typingNicks(), QStringList { QStringLiteral("alice") });
    // Cleared by hand: stopped.
    window.input()->clear();
    QTRY_VERIFY(bob.typingNicks().isEmpty());
    QTest::keyClicks(window.input(), QStringLiteral("hello"));
    QTRY_COMPARE(bob.typingNicks(), QStringList { QStringLiteral("alice") });
    QTest::keyClick(window.input(), Qt::Key_Return);
    QTRY_VERIFY(bob.typingNicks().isEmpty());
    QTRY_VERIFY(rowWithText(bob.messages(), QStringLiteral("hello")).isValid());
}

void TestConversations::directMessagesHaveTheirOwnTab()
{
    ChatClient alice, bob, carol;
    ChatWindow window(&alice);
    FakeNotifier notifier;
    window.setNotifier(&notifier);
    window.setSettings(m_settings.get());
    join(alice, QStringLiteral("alice"));
    join(bob, QStringLiteral("bob"));
    join(carol, QStringLiteral("carol"));

    bob.sendMessage(QStringLiteral("room hello"));
    bob.sendMessage(QStringLiteral("just for you"), QStringLiteral("alice"));
    QTRY_VERIFY(window.conversationView(QStringLiteral("bob")));
    ConversationFilter *room = window.conversationModel(QString());
    ConversationFilter *withBob = window.conversationModel(QStringLiteral("bob"));
    QTRY_VERIFY(rowWithText(room, QStringLiteral("room hello")).isValid());
    QTRY_VERIFY(rowWithText(withBob, QStringLiteral("just for you")).isValid());
    QVERIFY(!rowWithText(room, QStringLiteral("just for you")).isValid());
    QVERIFY(!rowWithText(withBob, QStringLiteral("room hello")).isValid());

    // Counted as unread in its tab's title; the window is not active, so also notified.
    QCOMPARE(window.unreadCount(QStringLiteral("bob")), 1);
    QTabWidget *tabs = window.tabs();
    QCOMPARE(tabs->tabText(tabs->indexOf(window.conversationView(QStringLiteral("bob")))),
             QStringLiteral("bob (1)"));
    QCOMPARE(tabs->tabText(0), QStringLiteral("Room (1)"));
    QCOMPARE(notifier.notes.size(), 1);
    QCOMPARE(notifier.notes.at(0).second, QStringLiteral("just for you"));
    // The first unread message has the "New messages" line.
    QCOMPARE(window.conversationView(QStringLiteral("bob"))->messageDelegate()->unreadMarker(),
             rowWithText(withBob, QStringLiteral("just for you")).data(MessageModel::IdRole).toString());

    // Answering from the tab goes to bob alone.
    window.openConversation(QStringLiteral("bob"));
    QCOMPARE(window.currentPartner(), QStringLiteral("bob"));
    QTest::keyClicks(window.input(), QStringLiteral("got it"));
    QTest::keyClick(window.input(), Qt::Key_Return);
    QTRY_VERIFY(rowWithText(bob.messages(), QStringLiteral("got it")).isValid());
    const QModelIndex atBob = rowWithText(bob.messages(), QStringLiteral("got it"));
    QCOMPARE(atBob.data(MessageModel::ToRole).toString(), QStringLiteral("bob"));
    QTRY_VERIFY(rowWithText(withBob, QStringLiteral("got it")).isValid());
    QVERIFY(!rowWithText(room, QStringLiteral("got it")).isValid());
    // Carol sees none of it.
    QTRY_VERIFY(rowWithText(carol.messages(), QStringLiteral("room hello")).isValid());
    QVERIFY(!rowWithText(carol.messages(), QStringLiteral("just for you")).isValid());
    QVERIFY(!rowWithText(carol.messages(), QStringLiteral("got it")).isValid());

    // A message from a new partner opens another tab; closing it keeps the room.
    carol.sendMessage(QStringLiteral("me too"), QStringLiteral("alice"));
    QTRY_VERIFY(window.conversationView(QStringLiteral("carol")));
    QCOMPARE(tabs->count(), 3);
    window.closeConversation(QStringLiteral("carol"));
    QCOMPARE(tabs->count(), 2);
    QVERIFY(!window.conversationView(QStringLiteral("carol")));
}

void TestConversations::notificationsForMentionsAndDirectMessages()
{
    ChatClient alice, bob;
    ChatWindow window(&alice);
    FakeNotifier notifier;
    window.setNotifier(&notifier);
    window.setSettings(m_settings.get());
    bob.open(m_server->url(), QStringLiteral("bob"));
    QTRY_COMPARE(bob.state(), ChatClient::State::Joined);
    bob.sendMessage(QStringLiteral("@alice before you came"));
    QTRY_COMPARE(bob.outboxSize(), 0);
    join(alice, QStringLiteral("alice"));
    // History is not news.
    QCOMPARE(notifier.notes.size(), 0);
    QCOMPARE(window.unreadCount(QString()), 0);

    bob.sendMessage(QStringLiteral("plain room talk"));
    bob.sendMessage(QStringLiteral("hey @Alice, look"));
    QTRY_COMPARE(window.unreadCount(QString()), 2);
    QCOMPARE(notifier.notes.size(), 1);
    QCOMPARE(notifier.notes.at(0).first, QStringLiteral("bob mentioned you"));
    QCOMPARE(notifier.notes.at(0).second, QStringLiteral("hey @Alice, look"));
    // The mention is highlighted in the room's view.
    const QModelIndex mention = rowWithText(window.conversationModel(QString()),
                                            QStringLiteral("hey @Alice, look"));
    QVERIFY(window.messageView()->messageDelegate()->isMention(mention));
}

void TestConversations::mutedMeansNoNotifications()
{
    m_settings->setNotificationsMuted(true);
    ChatClient alice, bob;
    ChatWindow window(&alice);
    FakeNotifier notifier;
    window.setNotifier(&notifier);
    window.setSettings(m_settings.get());
    join(alice, QStringLiteral("alice"));
    join(bob, QStringLiteral("bob"));
    bob.sendMessage(QStringLiteral("psst"), QStringLiteral("alice"));
    bob.sendMessage(QStringLiteral("@alice hi"));
    QTRY_COMPARE(window.unreadCount(QString()), 1);
    QTRY_COMPARE(window.unreadCount(QStringLiteral("bob")), 1);
    QCOMPARE(notifier.notes.size(), 0);

    m_settings->setNotificationsMuted(false);
    bob.sendMessage(QStringLiteral("psst again"), QStringLiteral("alice"));
    QTRY_COMPARE(notifier.notes.size(), 1);
}

void TestConversations::editAndDeleteOnlyOwnMessages()
{
    ChatClient alice, bob;
    ChatWindow window(&alice);
    window.setConfirmation([](const QString &) { return true; });
    join(alice, QStringLiteral("alice"));
    join(bob, QStringLiteral("bob"));
    bob.sendMessage(QStringLiteral("theirs"));
    alice.sendMessage(QStringLiteral("mine"));
    ConversationFilter *room = window.conversationModel(QString());
    QTRY_VERIFY(rowWithText(room, QStringLiteral("theirs")).isValid());
    QTRY_VERIFY(!rowWithText(room, QStringLiteral("mine")).data(MessageModel::IdRole).toString().isEmpty());

    std::unique_ptr<QMenu> theirs(window.createMessageMenu(rowWithText(room, QStringLiteral("theirs"))));
    QVERIFY(theirs);
    QVERIFY(actionNamed(theirs.get(), QStringLiteral("reply")));
    QVERIFY(!actionNamed(theirs.get(), QStringLiteral("edit")));
    QVERIFY(!actionNamed(theirs.get(), QStringLiteral("delete")));
    std::unique_ptr<QMenu> mine(window.createMessageMenu(rowWithText(room, QStringLiteral("mine"))));
    QVERIFY(mine);
    QVERIFY(actionNamed(mine.get(), QStringLiteral("edit")));
    QVERIFY(actionNamed(mine.get(), QStringLiteral("delete")));
    // Events have no menu.
    QModelIndex event;
    for (int row = 0; row < room->rowCount() && !event.isValid(); ++row) {
        if (room->index(row, 0).data(MessageModel::KindRole).value<MessageModel::Kind>()
            != MessageModel::Kind::Chat)
            event = room->index(row, 0);
    }
    QVERIFY(event.isValid());
    QVERIFY(!window.createMessageMenu(event));

    // Edit: the text goes into the input; Enter saves; the draft comes back.
    QTest::keyClicks(window.input(), QStringLiteral("a draft"));
    actionNamed(mine.get(), QStringLiteral("edit"))->trigger();
    QVERIFY(window.isEditing());
    QCOMPARE(window.input()->toPlainText(), QStringLiteral("mine"));
    QCOMPARE(window.composeText(), QStringLiteral("Editing your message (Enter saves, Esc cancels)"));
    QTest::keyClicks(window.input(), QStringLiteral(" (fixed)"));
    QTest::keyClick(window.input(), Qt::Key_Return);
    QVERIFY(!window.isEditing());
    QCOMPARE(window.input()->toPlainText(), QStringLiteral("a draft"));
    QTRY_VERIFY(rowWithText(bob.messages(), QStringLiteral("mine (fixed)")).isValid());
    QVERIFY(rowWithText(bob.messages(), QStringLiteral("mine (fixed)")).data(MessageModel::EditedRole).toBool());
    QTRY_VERIFY(rowWithText(room, QStringLiteral("mine (fixed)")).isValid());
    QCOMPARE(MessageDelegate::bodyText(rowWithText(room, QStringLiteral("mine (fixed)"))),
             QStringLiteral("mine (fixed) (edited)"));

    // Esc leaves editing without saving.
    mine.reset(window.createMessageMenu(rowWithText(room, QStringLiteral("mine (fixed)"))));
    actionNamed(mine.get(), QStringLiteral("edit"))->trigger();
    QVERIFY(window.isEditing());
    QTest::keyClick(window.input(), Qt::Key_Escape);
    QVERIFY(!window.isEditing());
    QCOMPARE(window.composeText(), QString());
    QCOMPARE(window.input()->toPlainText(), QStringLiteral("a draft"));

    // Delete, confirmed.
    const QString id = rowWithText(room, QStringLiteral("mine (fixed)")).data(MessageModel::IdRole).toString();
    actionNamed(mine.get(), QStringLiteral("delete"))->trigger();
    const auto deletedAt = [id](const ChatClient &client) {
        const int row = client.messages()->rowOfId(id);
        return row >= 0 && client.messages()->index(row).data(MessageModel::DeletedRole).toBool();
    };
    QTRY_VERIFY(deletedAt(bob));
    QTRY_VERIFY(deletedAt(alice));
    const QModelIndex gone = room->mapFromSource(alice.messages()->index(alice.messages()->rowOfId(id)));
    QCOMPARE(MessageDelegate::bodyText(gone), QStringLiteral("message deleted"));
    QVERIFY(!window.createMessageMenu(gone));
}

void TestConversations::replyAndReact()
{
    ChatClient alice, bob;
    ChatWindow window(&alice);
    join(alice, QStringLiteral("alice"));
    join(bob, QStringLiteral("bob"));
    bob.sendMessage(QStringLiteral("lunch at noon?\nor later"));
    ConversationFilter *room = window.conversationModel(QString());
    QTRY_VERIFY(rowWithText(room, QStringLiteral("lunch at noon?\nor later")).isValid());
    const QModelIndex question = rowWithText(room, QStringLiteral("lunch at noon?\nor later"));
    const QString questionId = question.data(MessageModel::IdRole).toString();

    std::unique_ptr<QMenu> menu(window.createMessageMenu(question));
    actionNamed(menu.get(), QStringLiteral("reply"))->trigger();
    QCOMPARE(window.composeText(), QStringLiteral("Replying to bob: lunch at noon?…"));
    QTest::keyClicks(window.input(), QStringLiteral("yes"));
    QTest::keyClick(window.input(), Qt::Key_Return);
    QCOMPARE(window.composeText(), QString());
    QTRY_VERIFY(rowWithText(bob.messages(), QStringLiteral("yes")).isValid());
    const QModelIndex answer = rowWithText(bob.messages(), QStringLiteral("yes"));
    QCOMPARE(answer.data(MessageModel::ReplyToRole).toString(), questionId);
    QCOMPARE(MessageDelegate::replyText(answer), QStringLiteral("bob: lunch at noon?…"));

    // React through the menu; the same again takes it back.
    QMenu *react = nullptr;
    for (QAction *action : menu->actions()) {
        if (action->objectName() == QLatin1String("react"))
            react = action->menu();
    }
    QVERIFY(react);
    QCOMPARE(react->actions().size(), 6);
    QCOMPARE(react->actions().at(0)->text(), QStringLiteral("👍"));
    react->actions().at(0)->trigger();
    const auto chips = [&bob, questionId] {
        return MessageDelegate::reactionTexts(bob.messages()->index(bob.messages()->rowOfId(questionId)));
    };
    QTRY_COMPARE(chips(), QStringList { QStringLiteral("👍 1") });
    bob.react(questionId, QStringLiteral("👍"));
    QTRY_COMPARE(chips(), QStringList { QStringLiteral("👍 2") });
    QTRY_COMPARE(MessageDelegate::reactionTexts(rowWithText(room, QStringLiteral("lunch at noon?\nor later"))),
                 QStringList { QStringLiteral("👍 2") });
    menu.reset(window.createMessageMenu(rowWithText(room, QStringLiteral("lunch at noon?\nor later"))));
    for (QAction *action : menu->actions()) {
        if (action->objectName() == QLatin1String("react"))
            react = action->menu();
    }
    QVERIFY(react->actions().at(0)->isChecked());
    react->actions().at(0)->trigger();
    QTRY_COMPARE(chips(), QStringList { QStringLiteral("👍 1") });
}

void TestConversations::awayWhenIdle()
{
    ChatClient alice, bob;
    ChatWindow window(&alice);
    join(alice, QStringLiteral("alice"));
    join(bob, QStringLiteral("bob"));
    const auto awayAtBob = [&bob] {
        const MemberModel *members = bob.members();
        for (int row = 0; row < members->rowCount(); ++row) {
            if (members->index(row).data(MemberModel::NickRole).toString() == QLatin1String("alice"))
                return members->index(row).data(MemberModel::IsAwayRole).toBool();
        }
        return false;
    };
    // The Room menu holds the Away toggle (the controller adds its own entries there).
    QVERIFY(window.roomMenu());
    QVERIFY(window.roomMenu()->actions().contains(window.awayAction()));
    window.setIdleTimeout(50);
    QTRY_VERIFY(alice.isAway());
    QVERIFY(window.awayAction()->isChecked());
    QTRY_VERIFY(awayAtBob());
    // Any input in the program is activity.
    window.setIdleTimeout(60 * 60 * 1000);
    QTest::keyClick(window.input(), Qt::Key_A);
    QVERIFY(!alice.isAway());
    QVERIFY(!window.awayAction()->isChecked());
    QTRY_VERIFY(!awayAtBob());

    // Away by hand stays through activity.
    window.awayAction()->trigger();
    QVERIFY(alice.isAway());
    QTest::keyClick(window.input(), Qt::Key_B);
    QVERIFY(alice.isAway());
    QTRY_VERIFY(awayAtBob());
}

void TestConversations::searchJumpsToAnOlderMessage()
{
    m_server.reset();
    m_server = startServer(5);
    ChatClient writer;
    join(writer, QStringLiteral("writer"));
    for (int i = 1; i <= 40; ++i)
        writer.sendMessage(i == 3 ? QStringLiteral("the needle is here") : QStringLiteral("hay %1").arg(i));
    QTRY_COMPARE(writer.outboxSize(), 0);

    ChatClient reader;
    ChatWindow window(&reader);
    window.resize(500, 300);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    join(reader, QStringLiteral("reader"));
    QVERIFY(reader.messages()->chatCount() < 40);

    QTest::keySequence(&window, QKeySequence::Find);
    QTRY_VERIFY(window.searchField()->isVisible());
    QTest::keyClicks(window.searchField(), QStringLiteral("needle"));
    QTest::keyClick(window.searchField(), Qt::Key_Return);
    QTRY_COMPARE(window.searchResults()->count(), 1);
    QVERIFY(window.searchResults()->item(0)->text().contains(QStringLiteral("writer: the needle is here")));

    QSignalSpy jumped(&window, &ChatWindow::jumpFinished);
    Q_EMIT window.searchResults()->itemActivated(window.searchResults()->item(0));
    QTRY_COMPARE(jumped.size(), 1);
    QVERIFY(jumped.at(0).at(1).toBool());
    MessageView *view = window.messageView();
    QCOMPARE(view->currentIndex().data(MessageModel::TextRole).toString(),
             QStringLiteral("the needle is here"));
    QVERIFY(view->selectionModel()->isSelected(view->currentIndex()));
    QTRY_VERIFY(view->viewport()->rect().intersects(view->visualRect(view->currentIndex())));
}

QTEST_MAIN(TestConversations)
#include "tst_conversations.moc"
