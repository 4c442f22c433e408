#include "app/ui/messageview.h"

#include "app/ui/messagedelegate.h"

#include <QApplication>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QDesktopServices>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QScrollBar>
#include <QWheelEvent>

namespace {
// "At the bottom" allows a few pixels, so a view left almost at the end still follows.
constexpr int BottomSlack = 4;
} // namespace

MessageView::MessageView(QWidget *parent) : QListView(parent), m_delegate(new MessageDelegate(this))
{
    setItemDelegate(m_delegate);
    // Rows differ in height; per-item scrolling would jump by whole messages.
    setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    // A scrollbar that comes and goes would change the width, and with it every row's
    // height and the delegate's whole size cache.
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOn);
    setResizeMode(QListView::Adjust);
    setLayoutMode(QListView::SinglePass);
    setUniformItemSizes(false);
    setWordWrap(true);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setFrameShape(QFrame::NoFrame);
    setMouseTracking(true); // the pointing hand over links
    connect(verticalScrollBar(), &QScrollBar::valueChanged, this, &MessageView::onScrolled);
    m_openUrl = [](const QUrl &url) { QDesktopServices::openUrl(url); };
}

MessageView::~MessageView() = default;

void MessageView::setModel(QAbstractItemModel *model)
{
    disconnect(m_insertConnection);
    disconnect(m_changeConnection);
    QListView::setModel(model);
    if (model) {
        m_insertConnection = connect(model, &QAbstractItemModel::rowsAboutToBeInserted, this,
                                     &MessageView::onRowsAboutToBeInserted);
        // An edit, a deletion or a reaction can change a row's height; QListView only
        // repaints on dataChanged. The relayout is cheap: the size cache has the rest.
        m_changeConnection = connect(model, &QAbstractItemModel::dataChanged, this,
                                     [this] { scheduleDelayedItemsLayout(); });
    }
    m_followBottom = true;
    m_keepDistanceFromBottom.reset();
}

void MessageView::onRowsAboutToBeInserted(const QModelIndex &parent, int first, int)
{
    // Only an insert above every row (an older page) moves what is on screen; rows added
    // at the end are handled by following the bottom.
    if (parent.isValid() || first != 0 || model()->rowCount() == 0 || m_followBottom)
        return;
    if (!m_keepDistanceFromBottom) {
        const QScrollBar *bar = verticalScrollBar();
        m_keepDistanceFromBottom = bar->maximum() - bar->value();
    }
}

void MessageView::updateGeometries()
{
    // QListView sets the scroll range here after each (delayed) relayout: the moment the
    // new content height is known and nothing has been painted yet.
    QListView::updateGeometries();
    QScrollBar *bar = verticalScrollBar();
    m_adjusting = true;
    if (m_followBottom) {
        bar->setValue(bar->maximum());
        m_keepDistanceFromBottom.reset();
    } else if (m_keepDistanceFromBottom) {
        bar->setValue(bar->maximum() - *m_keepDistanceFromBottom);
        m_keepDistanceFromBottom.reset();
    }
    m_adjusting = false;
}

void MessageView::onScrolled(int value)
{
    const QScrollBar *bar = verticalScrollBar();
    if (!m_adjusting)
        m_followBottom = value >= bar->maximum() - BottomSlack;
    if (value == bar->minimum() && bar->maximum() > bar->minimum() && !m_adjusting)
        Q_EMIT reachedTop();
}

void MessageView::wheelEvent(QWheelEvent *event)
{
    // With the scrollbar already at the top (or no scrollbar range at all) the wheel moves
    // nothing, so valueChanged never says the user wants more.
    const QScrollBar *bar = verticalScrollBar();
    if (event->angleDelta().y() > 0 && bar->value() == bar->minimum())
        Q_EMIT reachedTop();
    QListView::wheelEvent(event);
}

void MessageView::keyPressEvent(QKeyEvent *event)
{
    if (event->matches(QKeySequence::Copy)) {
        copySelection();
        event->accept();
        return;
    }
    QListView::keyPressEvent(event);
}

void MessageView::copySelection() const
{
    QModelIndexList rows = selectionModel() ? selectionModel()->selectedRows() : QModelIndexList();
    if (rows.isEmpty())
        return;
    std::sort(rows.begin(), rows.end(),
              [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    QStringList lines;
    lines.reserve(rows.size());
    for (const QModelIndex &row : std::as_const(rows))
        lines.append(row.data(Qt::DisplayRole).toString());
    QApplication::clipboard()->setText(lines.join(QLatin1Char('\n')));
}

QStyleOptionViewItem MessageView::optionFor(const QModelIndex &index) const
{
    QStyleOptionViewItem option;
    initViewItemOption(&option);
    option.rect = visualRect(index);
    if (selectionModel() && selectionModel()->isSelected(index))
        option.state |= QStyle::State_Selected;
    return option;
}

QUrl MessageView::linkAt(const QPoint &pos) const
{
    const QModelIndex index = indexAt(pos);
    if (!index.isValid())
        return {};
    return m_delegate->linkAt(optionFor(index), index, pos);
}

void MessageView::setUnreadMarker(const QString &id)
{
    if (m_delegate->unreadMarker() == id)
        return;
    m_delegate->setUnreadMarker(id);
    scheduleDelayedItemsLayout();
    viewport()->update();
}

void MessageView::showMessage(const QModelIndex &index)
{
    if (!index.isValid())
        return;
    // Laid out first, so that the row's place is known and scrolling lands on it.
    doItemsLayout();
    m_followBottom = false;
    scrollTo(index, QAbstractItemView::PositionAtCenter);
    setCurrentIndex(index);
    selectionModel()->select(index, QItemSelectionModel::ClearAndSelect);
}

void MessageView::mousePressEvent(QMouseEvent *event)
{
    m_pressedLink = event->button() == Qt::LeftButton ? linkAt(event->position().toPoint()) : QUrl();
    QListView::mousePressEvent(event);
}

void MessageView::mouseReleaseEvent(QMouseEvent *event)
{
    QListView::mouseReleaseEvent(event);
    if (event->button() != Qt::LeftButton)
        return;
    const QPoint pos = event->position().toPoint();
    const QUrl url = linkAt(pos);
    if (url.isValid() && url == m_pressedLink) {
        m_pressedLink.clear();
        m_openUrl(url);
        return;
    }
    const QModelIndex index = indexAt(pos);
    if (index.isValid()) {
        const QString emoji = m_delegate->reactionAt(optionFor(index), index, pos);
        if (!emoji.isEmpty())
            Q_EMIT reactionClicked(index, emoji);
        else if (isOnFile(pos))
            Q_EMIT fileClicked(index);
    }
}

bool MessageView::isOnFile(const QPoint &pos) const
{
    const QModelIndex index = indexAt(pos);
    return index.isValid() && m_delegate->fileRect(optionFor(index), index).contains(pos);
}

void MessageView::mouseMoveEvent(QMouseEvent *event)
{
    QListView::mouseMoveEvent(event);
    const QPoint pos = event->position().toPoint();
    if (linkAt(pos).isValid() || isOnFile(pos))
        viewport()->setCursor(Qt::PointingHandCursor);
    else
        viewport()->unsetCursor();
}

void MessageView::contextMenuEvent(QContextMenuEvent *event)
{
    const QModelIndex index = indexAt(event->pos());
    if (!index.isValid())
        return;
    Q_EMIT messageMenuRequested(index, event->globalPos());
    event->accept();
}
