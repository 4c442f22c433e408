// How conversation text reads and behaves, without a network: the typing line for 1, 2, 3
// and 4 typists; mentions (found at word boundaries, case-insensitively, highlighted);
// Tab completing "@al" to "@Alice " and cycling; "(edited)", "message deleted" and
// reaction chips as the delegate shows them; a reply's quoted excerpt; a clicked link
// opening through the view's opener; the member list's "(away)"; export to text and to
// HTML with everything escaped.

#include "app/ui/chattext.h"
#include "app/ui/conversationexport.h"
#include "app/ui/conversationfilter.h"
#include "app/ui/memberdelegate.h"
#include "app/ui/messagedelegate.h"
#include "app/ui/messageinput.h"
#include "app/ui/messageview.h"
#include "common/membermodel.h"
#include "common/messagemodel.h"

#include <QLineEdit>
#include <QTest>
#include <QVBoxLayout>

using Confab::Protocol::ChatMessage;
using Confab::Protocol::Reaction;

namespace {

ChatMessage message(qint64 seq, const QString &from, const QString &text)
{
    ChatMessage m;
    m.id = QStringLiteral("m%1").arg(seq);
    m.seq = seq;
    m.from = from;
    m.time = QDateTime(QDate(2026, 11, 22), QTime(9, 30), Qt::UTC).addSecs(seq * 60);
    m.text = text;
    return m;
}

} // namespace

class TestMessageText final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void typingLine();
    void mentions();
    void linksInText();
    void tabCompletesNicks();
    void tabWithoutMatchMovesOn();
    void delegateTexts();
    void mentionIsHighlighted();
    void clickingALinkOpensIt();
    void awayMembers();
    void roomAndDirectFilters();
    void exportAsText();
    void exportAsHtmlEscapes();
};

void TestMessageText::typingLine()
{
    using ChatText::typingText;
    QCOMPARE(typingText({}), QString());
    QCOMPARE(typingText({ QStringLiteral("Alice") }), QStringLiteral("Alice is typing…"));
    QCOMPARE(typingText({ QStringLiteral("Alice"), QStringLiteral("Bob") }),
             QStringLiteral("Alice and Bob are typing…"));
    QCOMPARE(typingText({ QStringLiteral("Alice"), QStringLiteral("Bob"), QStringLiteral("Carol") }),
             QStringLiteral("Alice, Bob and Carol are typing…"));
    QCOMPARE(typingText({ QStringLiteral("Alice"), QStringLiteral("Bob"), QStringLiteral("Carol"),
                          QStringLiteral("Dave") }),
             QStringLiteral("Alice, Bob and 2 others are typing…"));
}

void TestMessageText::mentions()
{
    const QString me = QStringLiteral("Alice");
    QVERIFY(ChatText::mentions(QStringLiteral("hi @alice, lunch?"), me));
    QVERIFY(ChatText::mentions(QStringLiteral("@ALICE"), me));
    QVERIFY(ChatText::mentions(QStringLiteral("Alice: are you there"), me));
    QVERIFY(!ChatText::mentions(QStringLiteral("@alicexyz is someone else"), me));
    QVERIFY(!ChatText::mentions(QStringLiteral("mail bob@alice.example"), me));
    QVERIFY(!ChatText::mentions(QStringLiteral("alice without the at"), me));
    QVERIFY(ChatText::mentions(QStringLiteral("안녕 @지민!"), QStringLiteral("지민")));
}

void TestMessageText::linksInText()
{
    const QList<ChatText::Link> links = ChatText::links(
        QStringLiteral("see https://example.com/a?b=1. and (http://qt.io) or ftp://no"));
    QCOMPARE(links.size(), 2);
    QCOMPARE(links.at(0).url, QUrl(QStringLiteral("https://example.com/a?b=1")));
    QCOMPARE(links.at(0).start, 4);
    QCOMPARE(links.at(1).url, QUrl(QStringLiteral("http://qt.io")));
}

void TestMessageText::tabCompletesNicks()
{
    MessageInput input;
    const QStringList nicks { QStringLiteral("Alice"), QStringLiteral("albert"),
                              QStringLiteral("Bob"), QStringLiteral("me") };
    input.setNickSource([nicks] { return nicks; }, [] { return QStringLiteral("me"); });
    input.show();
    QVERIFY(QTest::qWaitForWindowExposed(&input));

    QTest::keyClicks(&input, QStringLiteral("hi @al"));
    QTest::keyClick(&input, Qt::Key_Tab);
    QCOMPARE(input.toPlainText(), QStringLiteral("hi @albert "));
    QVERIFY(input.hasFocus());
    // Tab again: the next match in its place.
    QTest::keyClick(&input, Qt::Key_Tab);
    QCOMPARE(input.toPlainText(), QStringLiteral("hi @Alice "));
    QTest::keyClick(&input, Qt::Key_Tab);
    QCOMPARE(input.toPlainText(), QStringLiteral("hi @albert "));
    QTest::keyClicks(&input, QStringLiteral("yo"));
    QCOMPARE(input.toPlainText(), QStringLiteral("hi @albert yo"));

    input.clear();
    QTest::keyClicks(&input, QStringLiteral("@ali"));
    QTest::keyClick(&input, Qt::Key_Tab);
    QCOMPARE(input.toPlainText(), QStringLiteral("@Alice "));

    // A bare prefix at the start of the line addresses someone.
    input.clear();
    QTest::keyClicks(&input, QStringLiteral("bo"));
    QTest::keyClick(&input, Qt::Key_Tab);
    QCOMPARE(input.toPlainText(), QStringLiteral("Bob: "));

    // The user's own nick is never offered.
    input.clear();
    QTest::keyClicks(&input, QStringLiteral("@m"));
    QVERIFY(!input.completeNick());
}

void TestMessageText::tabWithoutMatchMovesOn()
{
    QWidget window;
    auto *input = new MessageInput(&window);
    auto *other = new QLineEdit(&window);
    input->setNickSource([] { return QStringList { QStringLiteral("Alice") }; }, [] { return QString(); });
    auto *layout = new QVBoxLayout(&window);
    layout->addWidget(input);
    layout->addWidget(other);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    input->setFocus();
    QTest::keyClicks(input, QStringLiteral("hello zed"));
    QTest::keyClick(input, Qt::Key_Tab);
    QCOMPARE(input->toPlainText(), QStringLiteral("hello zed"));
    QTRY_VERIFY(other->hasFocus());
}

void TestMessageText::delegateTexts()
{
    MessageModel model;
    ChatMessage original = message(1, QStringLiteral("Alice"), QStringLiteral("first line\nsecond"));
    ChatMessage edited = message(2, QStringLiteral("Bob"), QStringLiteral("fixed typo"));
    edited.edited = true;
    ChatMessage deleted = message(3, QStringLiteral("Bob"), QString());
    deleted.deleted = true;
    ChatMessage reply = message(4, QStringLiteral("Bob"), QStringLiteral("yes"));
    reply.replyTo = original.id;
    reply.reactions = { Reaction { QStringLiteral("👍"), { QStringLiteral("Alice"), QStringLiteral("Carol") } },
                        Reaction { QStringLiteral("🎉"), { QStringLiteral("Bob") } } };
    ChatMessage lost = message(5, QStringLiteral("Bob"), QStringLiteral("about that"));
    lost.replyTo = QStringLiteral("m-gone");
    model.addMessages({ original, edited, deleted, reply, lost });

    QCOMPARE(MessageDelegate::bodyText(model.index(0)), QStringLiteral("first line\nsecond"));
    QCOMPARE(MessageDelegate::bodyText(model.index(1)), QStringLiteral("fixed typo (edited)"));
    QCOMPARE(MessageDelegate::bodyText(model.index(2)), QStringLiteral("message deleted"));
    QCOMPARE(MessageDelegate::reactionTexts(model.index(3)),
             (QStringList { QStringLiteral("👍 2"), QStringLiteral("🎉 1") }));
    QCOMPARE(MessageDelegate::replyText(model.index(3)), QStringLiteral("Alice: first line…"));
    QCOMPARE(MessageDelegate::replyText(model.index(4)), QStringLiteral("an earlier message"));
    QCOMPARE(MessageDelegate::replyText(model.index(0)), QString());

    // Through a conversation filter, the quoted message is still found.
    ConversationFilter room;
    room.setSourceModel(&model);
    QCOMPARE(MessageDelegate::replyText(room.index(3, 0)), QStringLiteral("Alice: first line…"));

    // Rows with a quote, chips or "(edited)" are taller or at least as tall, and painting
    // them does not trip over anything.
    MessageView view;
    view.setModel(&room);
    view.resize(400, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.doItemsLayout();
    QVERIFY(view.visualRect(room.index(3, 0)).height() > view.visualRect(room.index(1, 0)).height());
    QVERIFY(!view.grab().isNull());

    // A reaction arriving later makes the row taller.
    const int before = view.visualRect(room.index(1, 0)).height();
    edited.reactions = { Reaction { QStringLiteral("😂"), { QStringLiteral("Alice") } } };
    model.addMessage(edited);
    QTRY_VERIFY(view.visualRect(room.index(1, 0)).height() > before);
}

void TestMessageText::mentionIsHighlighted()
{
    MessageModel model;
    model.addMessages({ message(1, QStringLiteral("Bob"), QStringLiteral("@alice look")),
                        message(2, QStringLiteral("Bob"), QStringLiteral("nothing for you")),
                        message(3, QStringLiteral("Alice"), QStringLiteral("@alice talking to myself")) });
    MessageDelegate delegate;
    QVERIFY(!delegate.isMention(model.index(0))); // no self nick yet
    delegate.setSelfNick(QStringLiteral("Alice"));
    QVERIFY(delegate.isMention(model.index(0)));
    QVERIFY(!delegate.isMention(model.index(1)));
    QVERIFY(!delegate.isMention(model.index(2)));
}

void TestMessageText::clickingALinkOpensIt()
{
    MessageModel model;
    model.addMessages({ message(1, QStringLiteral("Bob"),
                                QStringLiteral("read https://example.com/page now, or <b>not</b>")) });
    MessageView view;
    view.setModel(&model);
    view.resize(500, 200);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.doItemsLayout();
    QList<QUrl> opened;
    view.setUrlOpener([&opened](const QUrl &url) { opened.append(url); });

    // Find a point over the link the way a user would: somewhere in the row.
    const QRect row = view.visualRect(model.index(0));
    QPoint onLink(-1, -1), offLink(-1, -1);
    for (int y = row.top(); y < row.bottom() && onLink.x() < 0; y += 2) {
        for (int x = row.left(); x < row.right(); x += 3) {
            if (view.linkAt(QPoint(x, y)).isValid()) {
                onLink = QPoint(x, y);
                offLink = QPoint(row.left() + 12, y); // "read"
                break;
            }
        }
    }
    QVERIFY2(onLink.x() >= 0, "no link found in the row");
    QCOMPARE(view.linkAt(onLink), QUrl(QStringLiteral("https://example.com/page")));
    QVERIFY(!view.linkAt(offLink).isValid());

    QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, offLink);
    QVERIFY(opened.isEmpty());
    QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, onLink);
    QCOMPARE(opened, QList<QUrl> { QUrl(QStringLiteral("https://example.com/page")) });
}

void TestMessageText::awayMembers()
{
    MemberModel members;
    members.setMembers({ { QStringLiteral("Alice"), QStringLiteral("online") },
                         { QStringLiteral("Bob"), QStringLiteral("away") } });
    members.setSelf(QStringLiteral("Alice"));
    QCOMPARE(MemberDelegate::displayText(members.index(0)), QStringLiteral("Alice (you)"));
    QCOMPARE(MemberDelegate::displayText(members.index(1)), QStringLiteral("Bob (away)"));
}

void TestMessageText::roomAndDirectFilters()
{
    MessageModel model;
    ChatMessage toBob = message(2, QStringLiteral("me"), QStringLiteral("psst bob"));
    toBob.to = QStringLiteral("Bob");
    ChatMessage fromBob = message(3, QStringLiteral("Bob"), QStringLiteral("psst me"));
    fromBob.to = QStringLiteral("me");
    ChatMessage fromCarol = message(4, QStringLiteral("Carol"), QStringLiteral("hey me"));
    fromCarol.to = QStringLiteral("me");
    model.addMessages({ message(1, QStringLiteral("Bob"), QStringLiteral("hello room")), toBob,
                        fromBob, fromCarol });
    ConversationFilter room, bob, carol;
    room.setSourceModel(&model);
    bob.setSourceModel(&model);
    bob.setConversation(QStringLiteral("bob"), QStringLiteral("me"));
    carol.setSourceModel(&model);
    carol.setConversation(QStringLiteral("Carol"), QStringLiteral("Me"));
    QCOMPARE(room.rowCount(), 1);
    QCOMPARE(room.index(0, 0).data(MessageModel::TextRole).toString(), QStringLiteral("hello room"));
    QCOMPARE(bob.rowCount(), 2);
    QCOMPARE(bob.index(1, 0).data(MessageModel::TextRole).toString(), QStringLiteral("psst me"));
    QCOMPARE(carol.rowCount(), 1);
}

void TestMessageText::exportAsText()
{
    MessageModel model;
    ChatMessage first = message(0, QStringLiteral("Alice"), QStringLiteral("안녕하세요 👋"));
    ChatMessage second = message(1, QStringLiteral("Bob"), QStringLiteral("hi"));
    second.edited = true;
    model.addMessages({ first, second });
    model.addEvent(MessageModel::Kind::Joined, QStringLiteral("Carol joined."), first.time);
    const QString expectedTime = first.time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"));
    const QString text = ConversationExport::toText(model);
    QVERIFY2(text.startsWith(QStringLiteral("[%1] Alice: 안녕하세요 👋\n").arg(expectedTime)),
             qPrintable(text));
    QVERIFY(text.contains(QStringLiteral("] Bob: hi (edited)\n")));
    QVERIFY(!text.contains(QStringLiteral("Carol")));
    QCOMPARE(text.count(QLatin1Char('\n')), 2);
}

void TestMessageText::exportAsHtmlEscapes()
{
    MessageModel model;
    model.addMessages({ message(1, QStringLiteral("<script>x</script>"),
                                QStringLiteral("<img src=x onerror=alert(1)> & \"quotes\"")) });
    const QString html = ConversationExport::toHtml(model, QStringLiteral("Room <1>"));
    QVERIFY(html.contains(QStringLiteral("<meta charset=\"utf-8\">")));
    QVERIFY(!html.contains(QStringLiteral("<img")));
    QVERIFY(!html.contains(QStringLiteral("<script>")));
    QVERIFY(html.contains(QStringLiteral("&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;")));
    QVERIFY(html.contains(QStringLiteral("&lt;script&gt;x&lt;/script&gt;:")));
    QVERIFY(html.contains(QStringLiteral("<title>Room &lt;1&gt;</title>")));
}

QTEST_MAIN(TestMessageText)
#include "tst_messagetext.moc"
