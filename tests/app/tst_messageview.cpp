// MessageView and MessageDelegate with a conversation of 100,000 messages: it lays out,
// scrolls to either end, follows new messages at the bottom, keeps the user's place when
// older history is inserted above, and relayouts from the delegate's size cache instead of
// measuring text again. Correctness only: no wall-clock limits.

#include "app/ui/messagedelegate.h"
#include "app/ui/messageview.h"
#include "common/messagemodel.h"

#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>

using Confab::Protocol::ChatMessage;

namespace {

constexpr int Total = 100000;
constexpr qint64 FirstSeq = 1001; // room for older pages below

ChatMessage message(qint64 seq)
{
    ChatMessage m;
    m.id = QStringLiteral("m%1").arg(seq);
    m.seq = seq;
    m.from = seq % 3 == 0 ? QStringLiteral("alice") : QStringLiteral("bob");
    m.time = QDateTime(QDate(2026, 11, 22), QTime(9, 0), Qt::UTC).addSecs(seq);
    // Mostly one line, every so often a paragraph that wraps, and some with newlines.
    if (seq % 50 == 0)
        m.text = QStringLiteral("Message %1 is long: ").arg(seq)
            + QStringLiteral("words that keep going past the edge of the view ").repeated(6);
    else if (seq % 37 == 0)
        m.text = QStringLiteral("Message %1\nhas a second line\nand a third").arg(seq);
    else
        m.text = QStringLiteral("Message %1").arg(seq);
    return m;
}

QList<ChatMessage> messages(qint64 first, qint64 last)
{
    QList<ChatMessage> list;
    list.reserve(last - first + 1);
    for (qint64 seq = first; seq <= last; ++seq)
        list.append(message(seq));
    return list;
}

// The row at the top of the viewport.
QModelIndex firstVisible(const MessageView &view)
{
    return view.indexAt(QPoint(10, 1));
}

QModelIndex lastVisible(const MessageView &view)
{
    return view.indexAt(QPoint(10, view.viewport()->height() - 2));
}

} // namespace

class TestMessageView final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void startsAtTheBottom();
    void scrollsToTopAndAsksForOlder();
    void keepsThePlaceWhenOlderMessagesArrive();
    void followsNewMessagesOnlyAtTheBottom();
    void relayoutUsesTheSizeCache();
    void aNewWidthMeasuresAgain();
    void rowsDifferInHeight();

private:
    void settle();

    MessageModel *m_model = nullptr;
    MessageView *m_view = nullptr;
};

void TestMessageView::initTestCase()
{
    m_model = new MessageModel;
    m_model->addMessages(messages(FirstSeq, FirstSeq + Total - 1));
    QCOMPARE(m_model->rowCount(), Total);
    m_view = new MessageView;
    m_view->setModel(m_model);
    m_view->resize(600, 400);
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view));
    settle();
}

void TestMessageView::cleanupTestCase()
{
    delete m_view;
    delete m_model;
}

void TestMessageView::settle()
{
    // QListView lays out lazily (after a zero timer); make it happen now.
    m_view->doItemsLayout();
    QCoreApplication::processEvents();
}

void TestMessageView::startsAtTheBottom()
{
    const QScrollBar *bar = m_view->verticalScrollBar();
    QVERIFY(bar->maximum() > 0);
    QCOMPARE(bar->value(), bar->maximum());
    QVERIFY(m_view->isFollowingBottom());
    QCOMPARE(lastVisible(*m_view).row(), Total - 1);
    // Every row was measured once, from its text.
    QVERIFY(m_view->messageDelegate()->cacheMisses() > 0);
    QVERIFY(m_view->messageDelegate()->cacheSize() <= Total);
}

void TestMessageView::scrollsToTopAndAsksForOlder()
{
    QSignalSpy reachedTop(m_view, &MessageView::reachedTop);
    m_view->scrollToTop();
    QCOMPARE(m_view->verticalScrollBar()->value(), 0);
    QCOMPARE(firstVisible(*m_view).row(), 0);
    QCOMPARE(reachedTop.size(), 1);
    QVERIFY(!m_view->isFollowingBottom());

    m_view->scrollToBottom();
    QCOMPARE(m_view->verticalScrollBar()->value(), m_view->verticalScrollBar()->maximum());
    QCOMPARE(lastVisible(*m_view).row(), m_model->rowCount() - 1);
    QVERIFY(m_view->isFollowingBottom());
}

void TestMessageView::keepsThePlaceWhenOlderMessagesArrive()
{
    // The user reads somewhere in the middle...
    QScrollBar *bar = m_view->verticalScrollBar();
    bar->setValue(bar->maximum() / 2);
    QVERIFY(!m_view->isFollowingBottom());
    const QModelIndex reading = firstVisible(*m_view);
    const qint64 readingSeq = reading.data(MessageModel::SeqRole).toLongLong();
    const int readingTop = m_view->visualRect(reading).top();

    // ...when a page of 500 older messages goes in above everything.
    const int rows = m_model->rowCount();
    m_model->addMessages(messages(FirstSeq - 500, FirstSeq - 1));
    QCOMPARE(m_model->rowCount(), rows + 500);
    settle();

    const QModelIndex after = firstVisible(*m_view);
    QCOMPARE(after.data(MessageModel::SeqRole).toLongLong(), readingSeq);
    QCOMPARE(m_view->visualRect(after).top(), readingTop);

    // The same from the very top, where the request for older history came from.
    m_view->scrollToTop();
    const QModelIndex top = firstVisible(*m_view);
    QCOMPARE(top.row(), 0);
    const qint64 topSeq = top.data(MessageModel::SeqRole).toLongLong();
    m_model->addMessages(messages(FirstSeq - 1000, FirstSeq - 501));
    settle();
    QCOMPARE(firstVisible(*m_view).data(MessageModel::SeqRole).toLongLong(), topSeq);
    QVERIFY(bar->value() > 0);
}

void TestMessageView::followsNewMessagesOnlyAtTheBottom()
{
    // Not at the bottom: a new message does not move the view.
    QScrollBar *bar = m_view->verticalScrollBar();
    bar->setValue(bar->maximum() / 3);
    const QModelIndex reading = firstVisible(*m_view);
    const int value = bar->value();
    qint64 next = m_model->lastSeq() + 1;
    m_model->addMessage(message(next++));
    settle();
    QCOMPARE(bar->value(), value);
    QCOMPARE(firstVisible(*m_view), reading);

    // At the bottom: it follows, for live messages and for the user's own pending ones.
    m_view->scrollToBottom();
    m_model->addMessage(message(next++));
    settle();
    QCOMPARE(bar->value(), bar->maximum());
    QCOMPARE(lastVisible(*m_view).row(), m_model->rowCount() - 1);
    m_model->addPending(QStringLiteral("c1"), QStringLiteral("me"),
                        QStringLiteral("a long one of mine ").repeated(20), QDateTime::currentDateTimeUtc());
    settle();
    QCOMPARE(bar->value(), bar->maximum());
    QCOMPARE(lastVisible(*m_view).data(MessageModel::ClientIdRole).toString(), QStringLiteral("c1"));
}

void TestMessageView::relayoutUsesTheSizeCache()
{
    settle();
    MessageDelegate *delegate = m_view->messageDelegate();
    const qint64 misses = delegate->cacheMisses();
    const qint64 hits = delegate->cacheHits();
    m_model->addMessage(message(m_model->lastSeq() + 1));
    settle();
    // QListView measured every row again; only the new one was laid out as text.
    QCOMPARE(delegate->cacheMisses(), misses + 1);
    QVERIFY(delegate->cacheHits() - hits >= m_model->rowCount() - 1);
}

void TestMessageView::aNewWidthMeasuresAgain()
{
    MessageDelegate *delegate = m_view->messageDelegate();
    const int oldWidth = delegate->cachedWidth();
    const QModelIndex longRow = m_model->index(m_model->rowCount() - 3);
    m_view->resize(900, 400);
    settle();
    QVERIFY(delegate->cachedWidth() > oldWidth);
    QCOMPARE(m_view->verticalScrollBar()->value(), m_view->verticalScrollBar()->maximum());
    // Rows are as wide as the view: nothing to scroll sideways.
    QCOMPARE(m_view->visualRect(longRow).width(), m_view->viewport()->width());
    m_view->resize(600, 400);
    settle();
    QCOMPARE(delegate->cachedWidth(), oldWidth);
}

void TestMessageView::rowsDifferInHeight()
{
    const auto heightOf = [this](qint64 seq) {
        for (int row = m_model->rowCount() - 1; row >= 0; --row) {
            const QModelIndex index = m_model->index(row);
            if (index.data(MessageModel::SeqRole).toLongLong() == seq)
                return m_view->visualRect(index).height();
        }
        return -1;
    };
    const qint64 base = (m_model->lastSeq() / 50 - 2) * 50; // a long message near the end
    m_view->scrollTo(m_model->index(m_model->rowCount() - 200));
    const int shortRow = heightOf(base + 1);
    const int longRow = heightOf(base);
    const int threeLines = heightOf(((base + 1) / 37 + 1) * 37);
    QVERIFY(shortRow > 0);
    QVERIFY2(longRow > shortRow * 2, qPrintable(QStringLiteral("%1 vs %2").arg(longRow).arg(shortRow)));
    QVERIFY(threeLines > shortRow);
}

QTEST_MAIN(TestMessageView)
#include "tst_messageview.moc"
