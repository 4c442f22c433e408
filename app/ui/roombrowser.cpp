#include "app/ui/roombrowser.h"

#include "app/core/roomlistmodel.h"

#include <QHeaderView>
#include <QIdentityProxyModel>
#include <QLabel>
#include <QPainter>
#include <QPainterPath>
#include <QSortFilterProxyModel>
#include <QTreeView>
#include <QVBoxLayout>

namespace {

constexpr int SortRole = Qt::UserRole + 1000;

// A small padlock, drawn: Qt's standard icons have none, and an emoji font may be missing.
QIcon lockIcon(const QColor &color)
{
    QPixmap pixmap(32, 32);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    QPen pen(color, 3.5);
    painter.setPen(pen);
    painter.setBrush(Qt::NoBrush);
    QPainterPath shackle;
    shackle.moveTo(10, 15);
    shackle.lineTo(10, 10);
    shackle.arcTo(10, 3, 12, 14, 180, -180);
    shackle.lineTo(22, 15);
    painter.drawPath(shackle);
    painter.setPen(Qt::NoPen);
    painter.setBrush(color);
    painter.drawRoundedRect(QRectF(6, 14, 20, 15), 3, 3);
    return QIcon(pixmap);
}

// Turns the one-column RoomListModel into a table, one column per thing to see, so that
// the view has a header to sort by. Rows map one to one.
class RoomColumns final : public QIdentityProxyModel
{
public:
    using QIdentityProxyModel::QIdentityProxyModel;

    void setSourceModel(QAbstractItemModel *source) override
    {
        if (sourceModel())
            sourceModel()->disconnect(this);
        QIdentityProxyModel::setSourceModel(source);
        if (!source)
            return;
        // The base class maps a change to column 0 only; a member count sits in column 1.
        connect(source, &QAbstractItemModel::dataChanged, this,
                [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                    Q_EMIT dataChanged(index(topLeft.row(), 0),
                                       index(bottomRight.row(), RoomBrowser::ColumnCount - 1));
                });
    }

    int columnCount(const QModelIndex &parent = {}) const override
    {
        return parent.isValid() ? 0 : RoomBrowser::ColumnCount;
    }
    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override
    {
        if (parent.isValid() || !sourceModel() || row < 0 || row >= sourceModel()->rowCount()
            || column < 0 || column >= RoomBrowser::ColumnCount)
            return {};
        return createIndex(row, column);
    }
    QModelIndex parent(const QModelIndex &) const override { return {}; }
    QModelIndex sibling(int row, int column, const QModelIndex &) const override
    {
        return index(row, column);
    }
    QModelIndex mapToSource(const QModelIndex &proxy) const override
    {
        if (!proxy.isValid() || !sourceModel())
            return {};
        return sourceModel()->index(proxy.row(), 0);
    }
    QModelIndex mapFromSource(const QModelIndex &source) const override
    {
        if (!source.isValid())
            return {};
        return index(source.row(), 0);
    }
    Qt::ItemFlags flags(const QModelIndex &index) const override
    {
        return index.isValid() ? Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren
                               : Qt::NoItemFlags;
    }

    QVariant headerData(int section, Qt::Orientation orientation, int role) const override
    {
        if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
            return {};
        switch (section) {
        case RoomBrowser::NameColumn:
            return RoomBrowser::tr("Room");
        case RoomBrowser::MembersColumn:
            return RoomBrowser::tr("People");
        case RoomBrowser::SecurityColumn:
            return RoomBrowser::tr("Encrypted");
        case RoomBrowser::AddressColumn:
            return RoomBrowser::tr("Address");
        }
        return {};
    }

    QVariant data(const QModelIndex &index, int role) const override
    {
        const QModelIndex source = mapToSource(index);
        if (!source.isValid())
            return {};
        if (role >= Qt::UserRole && role < SortRole)
            return source.data(role); // the RoomListModel roles, from any column
        const bool password = source.data(RoomListModel::PasswordRole).toBool();
        const bool tls = source.data(RoomListModel::TlsRole).toBool();
        switch (index.column()) {
        case RoomBrowser::NameColumn:
            switch (role) {
            case Qt::DisplayRole:
                return source.data(RoomListModel::NameRole);
            case SortRole:
                return source.data(RoomListModel::NameRole).toString().toCaseFolded();
            case Qt::DecorationRole:
                if (password) {
                    static const QIcon icon = lockIcon(QColor(0x55, 0x55, 0x55));
                    return icon;
                }
                return {};
            case Qt::ToolTipRole:
                return password ? RoomBrowser::tr("%1 asks for a password.")
                                      .arg(source.data(RoomListModel::NameRole).toString())
                                : QVariant();
            }
            return {};
        case RoomBrowser::MembersColumn:
            if (role == Qt::DisplayRole || role == SortRole)
                return source.data(RoomListModel::MembersRole);
            if (role == Qt::TextAlignmentRole)
                return int(Qt::AlignRight | Qt::AlignVCenter);
            return {};
        case RoomBrowser::SecurityColumn:
            if (role == Qt::DisplayRole)
                return tls ? QStringLiteral("wss") : QString();
            if (role == SortRole)
                return tls;
            if (role == Qt::ToolTipRole && tls)
                return RoomBrowser::tr("Messages to this room are encrypted (wss://).");
            return {};
        case RoomBrowser::AddressColumn:
            if (role == Qt::DisplayRole || role == SortRole)
                return source.data(RoomListModel::AddressRole);
            if (role == Qt::ToolTipRole)
                return source.data(RoomListModel::AddressesRole)
                    .toStringList()
                    .join(QLatin1Char('\n'));
            return {};
        }
        return {};
    }
};

// Sorts by SortRole and leaves out one room id (the room this machine hosts).
class RoomSorter final : public QSortFilterProxyModel
{
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;

    void setHiddenRoomId(const QString &roomId)
    {
        if (roomId == m_hidden)
            return;
        m_hidden = roomId;
        invalidateFilter();
    }

protected:
    bool filterAcceptsRow(int row, const QModelIndex &parent) const override
    {
        if (m_hidden.isEmpty())
            return true;
        return sourceModel()->index(row, 0, parent).data(RoomListModel::RoomIdRole).toString()
            != m_hidden;
    }

private:
    QString m_hidden;
};

} // namespace

RoomBrowser::RoomBrowser(QWidget *parent)
    : QWidget(parent)
    , m_sorted(new RoomSorter(this))
    , m_columns(new RoomColumns(this))
    , m_view(new QTreeView)
    , m_placeholder(new QLabel(tr("No rooms heard on the network yet. Rooms announce "
                                  "themselves every few seconds.")))
{
    m_sorted->setSourceModel(m_columns);
    m_sorted->setSortRole(SortRole);
    m_sorted->setSortCaseSensitivity(Qt::CaseInsensitive);
    m_sorted->setDynamicSortFilter(true);

    m_view->setObjectName(QStringLiteral("roomList"));
    m_view->setModel(m_sorted);
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true);
    m_view->setAllColumnsShowFocus(true);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(NameColumn, Qt::AscendingOrder);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->header()->setStretchLastSection(true);
    m_view->header()->setSectionResizeMode(NameColumn, QHeaderView::Stretch);
    m_view->header()->setSectionResizeMode(MembersColumn, QHeaderView::ResizeToContents);
    m_view->header()->setSectionResizeMode(SecurityColumn, QHeaderView::ResizeToContents);
    m_view->header()->setSectionResizeMode(AddressColumn, QHeaderView::ResizeToContents);
    m_view->header()->setStretchLastSection(false);

    m_placeholder->setObjectName(QStringLiteral("noRooms"));
    m_placeholder->setWordWrap(true);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setEnabled(false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_placeholder);

    connect(m_view, &QTreeView::activated, this, [this](const QModelIndex &index) {
        if (!index.isValid())
            return;
        Q_EMIT roomActivated(index.data(RoomListModel::UrlRole).toUrl(),
                             index.data(RoomListModel::NameRole).toString(),
                             index.data(RoomListModel::PasswordRole).toBool());
    });
    for (auto signal : { &QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved })
        connect(m_sorted, signal, this, &RoomBrowser::updatePlaceholder);
    connect(m_sorted, &QAbstractItemModel::modelReset, this, &RoomBrowser::updatePlaceholder);
    connect(m_sorted, &QAbstractItemModel::layoutChanged, this, &RoomBrowser::updatePlaceholder);
    updatePlaceholder();
}

RoomBrowser::~RoomBrowser() = default;

void RoomBrowser::setRooms(QAbstractItemModel *rooms)
{
    static_cast<RoomColumns *>(m_columns)->setSourceModel(rooms);
    updatePlaceholder();
}

void RoomBrowser::setHiddenRoomId(const QString &roomId)
{
    static_cast<RoomSorter *>(m_sorted)->setHiddenRoomId(roomId);
    updatePlaceholder();
}

int RoomBrowser::roomCount() const
{
    return m_sorted->rowCount();
}

void RoomBrowser::updatePlaceholder()
{
    // The empty table stays (its header says what will be listed), with a sentence below
    // while there is nothing to list.
    m_placeholder->setVisible(m_sorted->rowCount() == 0);
}
