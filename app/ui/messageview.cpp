#include "app/ui/messageview.h"

#include "app/ui/messagedelegate.h"

#include <QApplication>
#include <QClipboard>
#include <QKeyEvent>
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
    connect(verticalScrollBar(), &QScrollBar::valueChanged, this, &MessageView::onScrolled);
}

MessageView::~MessageView() = default;

void MessageView::setModel(QAbstractItemModel *model)
{
    disconnect(m_insertConnection);
    QListView::setModel(model);
    if (model)
        m_insertConnection = connect(model, &QAbstractItemModel::rowsAboutToBeInserted, this,
                                     &MessageView::onRowsAboutToBeInserted);
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
