#include "app/ui/messagedelegate.h"

#include "common/messagemodel.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QDateTime>
#include <QPainter>
#include <QTextLayout>

#include <iterator>

namespace {

constexpr int HorizontalPadding = 8;
constexpr int VerticalPadding = 4;
constexpr int HeaderSpacing = 6; // between sender, time and status on the header line
constexpr int TimeSpacing = 8; // between an event's time column and its text

QFont boldFont(QFont font)
{
    font.setBold(true);
    return font;
}

QFont italicFont(QFont font)
{
    font.setItalic(true);
    return font;
}

QString timeText(const QDateTime &time)
{
    return time.isValid() ? time.toLocalTime().toString(QStringLiteral("hh:mm")) : QString();
}

// QTextLayout breaks lines only at QChar::LineSeparator, not at '\n'.
QString forLayout(QString text)
{
    text.replace(QLatin1Char('\n'), QChar::LineSeparator);
    return text;
}

// Lays `layout` out in lines of at most `width` and returns its height.
int layOut(QTextLayout &layout, int width)
{
    QTextOption option;
    option.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    layout.setTextOption(option);
    layout.setCacheEnabled(true);
    qreal height = 0;
    layout.beginLayout();
    for (QTextLine line = layout.createLine(); line.isValid(); line = layout.createLine()) {
        line.setLineWidth(width);
        line.setPosition(QPointF(0, height));
        height += line.height();
    }
    layout.endLayout();
    return qCeil(height);
}

// A stable colour per nickname, light or dark to suit the palette, so that a busy room
// reads at a glance.
QColor nickColor(const QString &nick, const QPalette &palette)
{
    // A few well-separated hues: a hash over the whole circle gives neighbours that
    // cannot be told apart.
    static constexpr int hues[] = { 210, 5, 130, 275, 30, 180, 325, 55 };
    const int hue = hues[qHash(nick, 0x5eed) % std::size(hues)];
    const bool darkTheme = palette.color(QPalette::Base).lightness() < 128;
    return QColor::fromHsl(hue, 170, darkTheme ? 170 : 80);
}

int eventTimeColumn(const QFont &font)
{
    return QFontMetrics(italicFont(font)).horizontalAdvance(QStringLiteral("00:00")) + TimeSpacing;
}

} // namespace

MessageDelegate::MessageDelegate(QObject *parent) : QStyledItemDelegate(parent) { }

MessageDelegate::~MessageDelegate() = default;

int MessageDelegate::contentWidth(const QStyleOptionViewItem &option) const
{
    // The viewport, not option.rect: QListView measures rows with an option whose rect is
    // not the row's, and every row here is as wide as the view.
    int width = option.rect.width();
    if (const auto *view = qobject_cast<const QAbstractItemView *>(option.widget))
        width = view->viewport()->width();
    return qMax(40, width - 2 * HorizontalPadding);
}

int MessageDelegate::measureHeight(const QString &text, bool event, const QFont &font,
                                   int width) const
{
    if (event) {
        QTextLayout layout(forLayout(text), italicFont(font));
        const int textHeight = layOut(layout, qMax(20, width - eventTimeColumn(font)));
        return 2 * VerticalPadding + qMax(textHeight, QFontMetrics(italicFont(font)).height());
    }
    QTextLayout layout(forLayout(text), font);
    const int textHeight = layOut(layout, width);
    const int headerHeight = QFontMetrics(boldFont(font)).height();
    return 2 * VerticalPadding + headerHeight + qMax(textHeight, QFontMetrics(font).height());
}

QSize MessageDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const int width = contentWidth(option);
    if (width != m_cacheWidth || option.font != m_cacheFont) {
        m_heights.clear();
        m_cacheWidth = width;
        m_cacheFont = option.font;
    }
    const auto kind = index.data(MessageModel::KindRole).value<MessageModel::Kind>();
    Key key { index.data(MessageModel::TextRole).toString(), kind != MessageModel::Kind::Chat };
    // The header line (sender, time, status) never wraps, so it does not change the height:
    // a message keeps its size from "sending…" to delivered.
    int height;
    if (const auto it = m_heights.constFind(key); it != m_heights.cend()) {
        ++m_hits;
        height = *it;
    } else {
        ++m_misses;
        height = measureHeight(key.text, key.event, option.font, width);
        m_heights.insert(std::move(key), height);
    }
    return QSize(width + 2 * HorizontalPadding, height);
}

void MessageDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                            const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear(); // the style draws the background and selection; the text is ours
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    const auto kind = index.data(MessageModel::KindRole).value<MessageModel::Kind>();
    const QString text = index.data(MessageModel::TextRole).toString();
    const QString time = timeText(index.data(MessageModel::TimeRole).toDateTime());
    const bool selected = option.state.testFlag(QStyle::State_Selected);
    const QPalette &palette = option.palette;
    const QColor textColor = palette.color(selected ? QPalette::HighlightedText : QPalette::Text);
    QColor dimColor = palette.color(QPalette::PlaceholderText);
    if (selected)
        dimColor = textColor;
    const int width = contentWidth(option);
    const QRect content = option.rect.adjusted(HorizontalPadding, VerticalPadding,
                                               -HorizontalPadding, -VerticalPadding);

    painter->save();
    painter->setClipRect(option.rect);
    if (kind != MessageModel::Kind::Chat) {
        const QFont font = italicFont(option.font);
        painter->setFont(font);
        painter->setPen(dimColor);
        const int column = eventTimeColumn(option.font);
        const QFontMetrics metrics(font);
        painter->drawText(QRect(content.left(), content.top(), column, metrics.height()),
                          Qt::AlignLeft | Qt::AlignTop, time);
        QTextLayout layout(forLayout(text), font);
        layOut(layout, qMax(20, width - column));
        layout.draw(painter, QPointF(content.left() + column, content.top()));
        painter->restore();
        return;
    }

    const QString sender = index.data(MessageModel::SenderRole).toString();
    const auto status = index.data(MessageModel::StatusRole).value<MessageModel::Status>();
    const QFont bold = boldFont(option.font);
    const QFontMetrics boldMetrics(bold);
    const QFontMetrics metrics(option.font);
    const int headerHeight = boldMetrics.height();
    int x = content.left();

    painter->setFont(bold);
    painter->setPen(selected ? textColor : nickColor(sender, palette));
    const QString shownSender = boldMetrics.elidedText(sender, Qt::ElideRight, width / 2);
    painter->drawText(QRect(x, content.top(), width / 2, headerHeight),
                      Qt::AlignLeft | Qt::AlignVCenter, shownSender);
    x += boldMetrics.horizontalAdvance(shownSender) + HeaderSpacing;

    painter->setFont(option.font);
    painter->setPen(dimColor);
    painter->drawText(QRect(x, content.top(), content.right() - x, headerHeight),
                      Qt::AlignLeft | Qt::AlignVCenter, time);
    x += metrics.horizontalAdvance(time) + HeaderSpacing;

    QString note;
    if (status == MessageModel::Status::Sending) {
        note = tr("sending…");
        painter->setFont(italicFont(option.font));
    } else if (status == MessageModel::Status::Failed) {
        note = tr("failed: %1").arg(index.data(MessageModel::ErrorRole).toString());
        painter->setPen(selected ? textColor : QColor(Qt::red).darker(110));
    }
    if (!note.isEmpty() && x < content.right()) {
        const QRect noteRect(x, content.top(), content.right() - x, headerHeight);
        painter->drawText(noteRect, Qt::AlignLeft | Qt::AlignVCenter,
                          QFontMetrics(painter->font()).elidedText(note, Qt::ElideRight,
                                                                   noteRect.width()));
    }

    painter->setFont(option.font);
    painter->setPen(status == MessageModel::Status::Failed && !selected ? dimColor : textColor);
    QTextLayout layout(forLayout(text), option.font);
    layOut(layout, width);
    layout.draw(painter, QPointF(content.left(), content.top() + headerHeight));
    painter->restore();
}
