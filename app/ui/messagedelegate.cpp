#include "app/ui/messagedelegate.h"

#include "app/ui/chattext.h"
#include "app/ui/filesharing.h"
#include "common/messagemodel.h"

#include <QAbstractItemView>
#include <QAbstractProxyModel>
#include <QApplication>
#include <QDateTime>
#include <QHelpEvent>
#include <QLocale>
#include <QPainter>
#include <QPainterPath>
#include <QTextLayout>
#include <QToolTip>

#include <iterator>

namespace {

constexpr int HorizontalPadding = 8;
constexpr int VerticalPadding = 4;
constexpr int HeaderSpacing = 6; // between sender, time and status on the header line
constexpr int TimeSpacing = 8; // between an event's time column and its text
constexpr int ChipPadding = 6; // inside a reaction chip, left and right
constexpr int ChipSpacing = 4; // between chips
constexpr int QuoteIndent = 8; // the quote's bar and the gap after it
constexpr int CardPadding = 6; // inside a file card
constexpr int CardMaxWidth = FileSharing::ThumbnailWidth + 2 * CardPadding;
constexpr int FileIconSize = 32;

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

// The MessageModel under any stack of proxies, for looking up the message a reply answers.
const MessageModel *messageModelOf(const QModelIndex &index, QModelIndex *sourceIndex = nullptr)
{
    QModelIndex current = index;
    const QAbstractItemModel *model = index.model();
    while (const auto *proxy = qobject_cast<const QAbstractProxyModel *>(model)) {
        current = proxy->mapToSource(current);
        model = proxy->sourceModel();
    }
    if (sourceIndex)
        *sourceIndex = current;
    return qobject_cast<const MessageModel *>(model);
}

QString editedSuffix()
{
    return MessageDelegate::tr("(edited)");
}

} // namespace

int MessageDelegate::bodyHeight(QTextLayout &body, const Key &key, int width)
{
    if (key.text.isEmpty() && (key.parts & File)) {
        body.beginLayout(); // nothing to draw: no lines
        body.endLayout();
        return 0;
    }
    return layOut(body, width);
}

MessageDelegate::MessageDelegate(QObject *parent) : QStyledItemDelegate(parent) { }

MessageDelegate::~MessageDelegate() = default;

void MessageDelegate::setFileSharing(FileSharing *files)
{
    m_files = files;
}

int MessageDelegate::contentWidth(const QStyleOptionViewItem &option) const
{
    // The viewport, not option.rect: QListView measures rows with an option whose rect is
    // not the row's, and every row here is as wide as the view.
    int width = option.rect.width();
    if (const auto *view = qobject_cast<const QAbstractItemView *>(option.widget))
        width = view->viewport()->width();
    return qMax(40, width - 2 * HorizontalPadding);
}

QString MessageDelegate::bodyText(const QModelIndex &index)
{
    if (index.data(MessageModel::DeletedRole).toBool())
        return tr("message deleted");
    const QString text = index.data(MessageModel::TextRole).toString();
    if (index.data(MessageModel::EditedRole).toBool())
        return text + QLatin1Char(' ') + editedSuffix();
    return text;
}

QStringList MessageDelegate::reactionTexts(const QModelIndex &index)
{
    QStringList chips;
    const QVariantList reactions = index.data(MessageModel::ReactionsRole).toList();
    for (const QVariant &reaction : reactions) {
        const QVariantMap map = reaction.toMap();
        chips.append(tr("%1 %2").arg(map.value(QStringLiteral("emoji")).toString())
                         .arg(map.value(QStringLiteral("count")).toInt()));
    }
    return chips;
}

QString MessageDelegate::replyText(const QModelIndex &index)
{
    const QString replyTo = index.data(MessageModel::ReplyToRole).toString();
    if (replyTo.isEmpty())
        return {};
    const MessageModel *model = messageModelOf(index);
    const int row = model ? model->rowOfId(replyTo) : -1;
    if (row < 0)
        return tr("an earlier message");
    const QModelIndex original = model->index(row);
    const QString sender = original.data(MessageModel::SenderRole).toString();
    if (original.data(MessageModel::DeletedRole).toBool())
        return tr("%1: message deleted").arg(sender);
    return tr("%1: %2").arg(sender,
                            ChatText::excerpt(original.data(MessageModel::TextRole).toString(), 80));
}

bool MessageDelegate::isMention(const QModelIndex &index) const
{
    if (m_selfNick.isEmpty()
        || index.data(MessageModel::KindRole).value<MessageModel::Kind>() != MessageModel::Kind::Chat
        || index.data(MessageModel::DeletedRole).toBool()
        || index.data(MessageModel::SenderRole).toString().compare(m_selfNick, Qt::CaseInsensitive) == 0)
        return false;
    return ChatText::mentions(index.data(MessageModel::TextRole).toString(), m_selfNick);
}

MessageDelegate::Key MessageDelegate::keyOf(const QModelIndex &index) const
{
    const auto kind = index.data(MessageModel::KindRole).value<MessageModel::Kind>();
    Key key;
    if (kind != MessageModel::Kind::Chat) {
        key.text = index.data(MessageModel::TextRole).toString();
        key.parts = Event;
        return key;
    }
    key.text = bodyText(index);
    if (index.data(MessageModel::DeletedRole).toBool())
        key.parts |= Deleted;
    if (!index.data(MessageModel::ReplyToRole).toString().isEmpty())
        key.parts |= Reply;
    if (!index.data(MessageModel::ReactionsRole).toList().isEmpty())
        key.parts |= Reactions;
    if (!(key.parts & Deleted)) {
        const QVariantMap file = index.data(MessageModel::FileRole).toMap();
        if (!file.isEmpty())
            key.parts |= FileSharing::isImage(file) ? (File | Image) : File;
    }
    if (!m_unreadMarker.isEmpty() && index.data(MessageModel::IdRole).toString() == m_unreadMarker)
        key.parts |= Separator;
    return key;
}

MessageDelegate::Geometry MessageDelegate::geometry(quint8 parts, int bodyHeight,
                                                    const QFont &font) const
{
    const QFontMetrics metrics(font);
    Geometry g;
    g.separatorHeight = (parts & Separator) ? QFontMetrics(italicFont(font)).height() + 4 : 0;
    g.headerHeight = QFontMetrics(boldFont(font)).height();
    g.quoteHeight = (parts & Reply) ? QFontMetrics(italicFont(font)).height() + 2 : 0;
    g.bodyTop = g.separatorHeight + g.headerHeight + g.quoteHeight;
    // A file shared without words has no empty line of text above its card.
    g.bodyHeight = (parts & File) && bodyHeight == 0 ? 0 : qMax(bodyHeight, metrics.height());
    if (parts & File) {
        g.fileTop = g.bodyTop + g.bodyHeight + (g.bodyHeight > 0 ? 4 : 0);
        const int lines = 2 * metrics.height() + 2 * CardPadding;
        g.fileHeight = (parts & Image) ? FileSharing::ThumbnailHeight + CardPadding + lines
                                       : qMax(lines, FileIconSize + 2 * CardPadding);
    }
    const int end = (parts & File) ? g.fileTop + g.fileHeight : g.bodyTop + g.bodyHeight;
    g.chipsTop = end + 2;
    g.chipsHeight = (parts & Reactions) ? metrics.height() + 4 : 0;
    g.total = (parts & Reactions) ? g.chipsTop + g.chipsHeight : end;
    return g;
}

int MessageDelegate::measureHeight(const Key &key, const QFont &font, int width) const
{
    if (key.parts & Event) {
        QTextLayout layout(forLayout(key.text), italicFont(font));
        const int textHeight = layOut(layout, qMax(20, width - eventTimeColumn(font)));
        return 2 * VerticalPadding + qMax(textHeight, QFontMetrics(italicFont(font)).height());
    }
    QTextLayout layout(forLayout(key.text), (key.parts & Deleted) ? italicFont(font) : font);
    const int textHeight = key.text.isEmpty() && (key.parts & File) ? 0 : layOut(layout, width);
    return 2 * VerticalPadding + geometry(key.parts, textHeight, font).total;
}

QSize MessageDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const int width = contentWidth(option);
    if (width != m_cacheWidth || option.font != m_cacheFont) {
        m_heights.clear();
        m_cacheWidth = width;
        m_cacheFont = option.font;
    }
    Key key = keyOf(index);
    // The header line (sender, time, status) never wraps, so it does not change the height:
    // a message keeps its size from "sending…" to delivered.
    int height;
    if (const auto it = m_heights.constFind(key); it != m_heights.cend()) {
        ++m_hits;
        height = *it;
    } else {
        ++m_misses;
        height = measureHeight(key, option.font, width);
        m_heights.insert(std::move(key), height);
    }
    return QSize(width + 2 * HorizontalPadding, height);
}

void MessageDelegate::prepareBody(QTextLayout &layout, const QModelIndex &index, const QFont &font,
                                  const QPalette &palette, bool selected) const
{
    const bool deleted = index.data(MessageModel::DeletedRole).toBool();
    layout.setText(forLayout(bodyText(index)));
    layout.setFont(deleted ? italicFont(font) : font);
    if (deleted)
        return;
    QList<QTextLayout::FormatRange> formats;
    const QString text = index.data(MessageModel::TextRole).toString();
    for (const ChatText::Link &link : ChatText::links(text)) {
        QTextCharFormat format;
        format.setFontUnderline(true);
        if (!selected)
            format.setForeground(palette.color(QPalette::Link));
        formats.append({ link.start, link.length, format });
    }
    if (index.data(MessageModel::EditedRole).toBool()) {
        QTextCharFormat format;
        if (!selected)
            format.setForeground(palette.color(QPalette::PlaceholderText));
        formats.append({ int(text.size()) + 1, int(editedSuffix().size()), format });
    }
    layout.setFormats(formats);
}

void MessageDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                            const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear(); // the style draws the background and selection; the text is ours
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();

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
        style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);
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

    const Key key = keyOf(index);
    QTextLayout body;
    prepareBody(body, index, option.font, palette, selected);
    const Geometry g = geometry(key.parts, bodyHeight(body, key, width), option.font);

    // Background: the style's (selection, hover), and a tint for a mention of the user.
    QRect rowRect = option.rect;
    rowRect.setTop(option.rect.top() + g.separatorHeight);
    opt.rect = rowRect;
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);
    if (!selected && isMention(index)) {
        QColor tint = palette.color(QPalette::Highlight);
        tint.setAlpha(40);
        painter->fillRect(rowRect, tint);
        painter->fillRect(QRect(rowRect.left(), rowRect.top(), 3, rowRect.height()),
                          palette.color(QPalette::Highlight));
    }

    const int top = content.top();
    if (g.separatorHeight > 0) {
        const QFont font = italicFont(option.font);
        const QFontMetrics metrics(font);
        const QString label = tr("New messages");
        const QColor red = QColor(Qt::red).darker(120);
        const int labelWidth = metrics.horizontalAdvance(label) + 2 * HeaderSpacing;
        const int middle = top + g.separatorHeight / 2 - 1;
        const int labelLeft = content.left() + (width - labelWidth) / 2;
        painter->setPen(red);
        painter->drawLine(content.left(), middle, labelLeft, middle);
        painter->drawLine(labelLeft + labelWidth, middle, content.right(), middle);
        painter->setFont(font);
        painter->drawText(QRect(labelLeft, top, labelWidth, g.separatorHeight - 2),
                          Qt::AlignCenter, label);
    }

    const QString sender = index.data(MessageModel::SenderRole).toString();
    const auto status = index.data(MessageModel::StatusRole).value<MessageModel::Status>();
    const QFont bold = boldFont(option.font);
    const QFontMetrics boldMetrics(bold);
    const QFontMetrics metrics(option.font);
    const int headerTop = top + g.separatorHeight;
    const int headerHeight = g.headerHeight;
    int x = content.left();

    painter->setFont(bold);
    painter->setPen(selected ? textColor : nickColor(sender, palette));
    const QString shownSender = boldMetrics.elidedText(sender, Qt::ElideRight, width / 2);
    painter->drawText(QRect(x, headerTop, width / 2, headerHeight),
                      Qt::AlignLeft | Qt::AlignVCenter, shownSender);
    x += boldMetrics.horizontalAdvance(shownSender) + HeaderSpacing;

    painter->setFont(option.font);
    painter->setPen(dimColor);
    painter->drawText(QRect(x, headerTop, content.right() - x, headerHeight),
                      Qt::AlignLeft | Qt::AlignVCenter, time);
    x += metrics.horizontalAdvance(time) + HeaderSpacing;

    QString note;
    if (status == MessageModel::Status::Sending) {
        note = tr("sending…");
        painter->setFont(italicFont(option.font));
    } else if (status == MessageModel::Status::Failed) {
        note = tr("failed: %1").arg(index.data(MessageModel::ErrorRole).toString());
        painter->setPen(selected ? textColor : QColor(Qt::red).darker(110));
    } else if (index.data(MessageModel::IsDirectRole).toBool()) {
        note = tr("to %1").arg(index.data(MessageModel::ToRole).toString());
    }
    if (!note.isEmpty() && x < content.right()) {
        const QRect noteRect(x, headerTop, content.right() - x, headerHeight);
        painter->drawText(noteRect, Qt::AlignLeft | Qt::AlignVCenter,
                          QFontMetrics(painter->font()).elidedText(note, Qt::ElideRight,
                                                                   noteRect.width()));
    }

    if (g.quoteHeight > 0) {
        const int quoteTop = top + g.separatorHeight + g.headerHeight;
        painter->fillRect(QRect(content.left(), quoteTop + 1, 2, g.quoteHeight - 2), dimColor);
        const QFont font = italicFont(option.font);
        painter->setFont(font);
        painter->setPen(dimColor);
        const int quoteWidth = width - QuoteIndent;
        painter->drawText(QRect(content.left() + QuoteIndent, quoteTop, quoteWidth, g.quoteHeight),
                          Qt::AlignLeft | Qt::AlignVCenter,
                          QFontMetrics(font).elidedText(replyText(index), Qt::ElideRight,
                                                        quoteWidth));
    }

    const bool deleted = key.parts & Deleted;
    painter->setPen(deleted || (status == MessageModel::Status::Failed && !selected) ? dimColor
                                                                                      : textColor);
    body.draw(painter, QPointF(content.left(), top + g.bodyTop));

    if (g.fileHeight > 0) {
        const QRect card(content.left(), top + g.fileTop, qMin(width, CardMaxWidth), g.fileHeight);
        paintFile(painter, card, index, option, selected);
    }

    if (g.chipsHeight > 0) {
        painter->setFont(option.font);
        const QList<QPair<QRect, QString>> chips = chipRects(option, index);
        const QVariantList reactions = index.data(MessageModel::ReactionsRole).toList();
        const QStringList labels = reactionTexts(index);
        for (int i = 0; i < chips.size(); ++i) {
            const QStringList nicks = reactions.at(i).toMap().value(QStringLiteral("nicks")).toStringList();
            const bool mine = nicks.contains(m_selfNick, Qt::CaseInsensitive);
            const QRectF chip = QRectF(chips.at(i).first).adjusted(0.5, 0.5, -0.5, -0.5);
            QPainterPath path;
            path.addRoundedRect(chip, chip.height() / 2, chip.height() / 2);
            QColor fill = palette.color(mine ? QPalette::Highlight : QPalette::AlternateBase);
            fill.setAlpha(mine ? 60 : 255);
            painter->setRenderHint(QPainter::Antialiasing);
            painter->fillPath(path, fill);
            painter->setPen(palette.color(mine ? QPalette::Highlight : QPalette::Mid));
            painter->drawPath(path);
            painter->setPen(textColor);
            painter->drawText(chips.at(i).first, Qt::AlignCenter, labels.at(i));
        }
    }
    painter->restore();
}

QString MessageDelegate::fileText(const QModelIndex &index)
{
    const QVariantMap file = index.data(MessageModel::FileRole).toMap();
    if (file.isEmpty() || index.data(MessageModel::DeletedRole).toBool())
        return {};
    return tr("%1 — %2").arg(file.value(QStringLiteral("name")).toString(), sizeAndType(file));
}

QString MessageDelegate::sizeAndType(const QVariantMap &file)
{
    const QString size = QLocale().formattedDataSize(file.value(QStringLiteral("size")).toLongLong());
    const QString mime = file.value(QStringLiteral("mime")).toString();
    return mime.isEmpty() ? size : tr("%1 · %2").arg(size, mime);
}

void MessageDelegate::paintFile(QPainter *painter, const QRect &card, const QModelIndex &index,
                                const QStyleOptionViewItem &option, bool selected) const
{
    const QVariantMap file = index.data(MessageModel::FileRole).toMap();
    const QPalette &palette = option.palette;
    const QColor textColor = palette.color(selected ? QPalette::HighlightedText : QPalette::Text);
    const QColor dimColor = selected ? textColor : palette.color(QPalette::PlaceholderText);
    const QFontMetrics metrics(option.font);
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const QRectF frame = QRectF(card).adjusted(0.5, 0.5, -0.5, -0.5);
    QPainterPath path;
    path.addRoundedRect(frame, 6, 6);
    if (!selected)
        painter->fillPath(path, palette.color(QPalette::AlternateBase));
    painter->setPen(palette.color(QPalette::Mid));
    painter->drawPath(path);

    const QRect inner = card.adjusted(CardPadding, CardPadding, -CardPadding, -CardPadding);
    int textLeft = inner.left();
    int textTop = inner.top();
    const bool image = keyOf(index).parts & Image;
    if (image) {
        const QRect box(inner.left(), inner.top(), inner.width(), FileSharing::ThumbnailHeight);
        const QImage thumb = m_files ? m_files->thumbnail(file) : QImage();
        if (!thumb.isNull()) {
            const QSize shown = thumb.size().scaled(box.size(), Qt::KeepAspectRatio)
                                    .boundedTo(thumb.size());
            painter->drawImage(QRect(box.topLeft(), shown), thumb);
        } else {
            QColor fill = palette.color(QPalette::Mid);
            fill.setAlpha(40);
            painter->fillRect(box, fill);
            painter->setPen(dimColor);
            const bool failed = m_files && m_files->previewFailed(file.value(QStringLiteral("id")).toString());
            painter->drawText(box, Qt::AlignCenter,
                              failed ? tr("No preview") : tr("Loading preview…"));
        }
        textTop = box.bottom() + 1 + CardPadding;
    } else {
        const QIcon icon = (option.widget ? option.widget->style() : QApplication::style())
                               ->standardIcon(QStyle::SP_FileIcon);
        icon.paint(painter, QRect(inner.left(), inner.top(), FileIconSize, FileIconSize));
        textLeft += FileIconSize + CardPadding;
    }
    const int textWidth = inner.right() - textLeft;
    painter->setFont(boldFont(option.font));
    painter->setPen(textColor);
    painter->drawText(QRect(textLeft, textTop, textWidth, metrics.height()), Qt::AlignLeft | Qt::AlignVCenter,
                      QFontMetrics(boldFont(option.font)).elidedText(
                          file.value(QStringLiteral("name")).toString(), Qt::ElideMiddle, textWidth));
    painter->setFont(option.font);
    painter->setPen(dimColor);
    const QString details = sizeAndType(file) + QStringLiteral(" — ")
        + (image ? tr("click to open") : tr("click to save"));
    painter->drawText(QRect(textLeft, textTop + metrics.height(), textWidth, metrics.height()),
                      Qt::AlignLeft | Qt::AlignVCenter,
                      metrics.elidedText(details, Qt::ElideRight, textWidth));
    painter->restore();
}

QRect MessageDelegate::fileRect(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    if (index.data(MessageModel::KindRole).value<MessageModel::Kind>() != MessageModel::Kind::Chat)
        return {};
    const Key key = keyOf(index);
    if (!(key.parts & File))
        return {};
    const int width = contentWidth(option);
    QTextLayout body;
    prepareBody(body, index, option.font, option.palette, false);
    const Geometry g = geometry(key.parts, bodyHeight(body, key, width), option.font);
    return QRect(option.rect.left() + HorizontalPadding, option.rect.top() + VerticalPadding + g.fileTop,
                 qMin(width, CardMaxWidth), g.fileHeight);
}

QList<QPair<QRect, QString>> MessageDelegate::chipRects(const QStyleOptionViewItem &option,
                                                       const QModelIndex &index) const
{
    QList<QPair<QRect, QString>> rects;
    const QVariantList reactions = index.data(MessageModel::ReactionsRole).toList();
    if (reactions.isEmpty())
        return rects;
    const Key key = keyOf(index);
    const int width = contentWidth(option);
    QTextLayout body;
    prepareBody(body, index, option.font, option.palette, false);
    const Geometry g = geometry(key.parts, bodyHeight(body, key, width), option.font);
    const QFontMetrics metrics(option.font);
    const QStringList labels = reactionTexts(index);
    int x = option.rect.left() + HorizontalPadding;
    const int top = option.rect.top() + VerticalPadding + g.chipsTop;
    for (int i = 0; i < reactions.size(); ++i) {
        const int chipWidth = metrics.horizontalAdvance(labels.at(i)) + 2 * ChipPadding;
        rects.append({ QRect(x, top, chipWidth, g.chipsHeight),
                       reactions.at(i).toMap().value(QStringLiteral("emoji")).toString() });
        x += chipWidth + ChipSpacing;
    }
    return rects;
}

QUrl MessageDelegate::linkAt(const QStyleOptionViewItem &option, const QModelIndex &index,
                             const QPoint &pos) const
{
    if (index.data(MessageModel::KindRole).value<MessageModel::Kind>() != MessageModel::Kind::Chat
        || index.data(MessageModel::DeletedRole).toBool())
        return {};
    const QString text = index.data(MessageModel::TextRole).toString();
    const QList<ChatText::Link> links = ChatText::links(text);
    if (links.isEmpty())
        return {};
    const Key key = keyOf(index);
    const int width = contentWidth(option);
    QTextLayout body;
    prepareBody(body, index, option.font, option.palette, false);
    const Geometry g = geometry(key.parts, bodyHeight(body, key, width), option.font);
    const QPointF local = QPointF(pos)
        - QPointF(option.rect.left() + HorizontalPadding, option.rect.top() + VerticalPadding + g.bodyTop);
    for (int i = 0; i < body.lineCount(); ++i) {
        const QTextLine line = body.lineAt(i);
        if (local.y() < line.y() || local.y() >= line.y() + line.height())
            continue;
        if (local.x() < line.x() || local.x() > line.x() + line.naturalTextWidth())
            return {};
        const int cursor = line.xToCursor(local.x(), QTextLine::CursorOnCharacter);
        for (const ChatText::Link &link : links) {
            if (cursor >= link.start && cursor < link.start + link.length)
                return link.url;
        }
        return {};
    }
    return {};
}

QString MessageDelegate::reactionAt(const QStyleOptionViewItem &option, const QModelIndex &index,
                                    const QPoint &pos) const
{
    for (const auto &[rect, emoji] : chipRects(option, index)) {
        if (rect.contains(pos))
            return emoji;
    }
    return {};
}

bool MessageDelegate::helpEvent(QHelpEvent *event, QAbstractItemView *view,
                                const QStyleOptionViewItem &option, const QModelIndex &index)
{
    if (event->type() == QEvent::ToolTip && index.isValid()) {
        const QVariantList reactions = index.data(MessageModel::ReactionsRole).toList();
        const QList<QPair<QRect, QString>> chips = chipRects(option, index);
        for (int i = 0; i < chips.size(); ++i) {
            if (!chips.at(i).first.contains(event->pos()))
                continue;
            const QStringList nicks =
                reactions.at(i).toMap().value(QStringLiteral("nicks")).toStringList();
            QToolTip::showText(event->globalPos(),
                               tr("%1 by %2").arg(chips.at(i).second,
                                                  nicks.join(QStringLiteral(", "))),
                               view, chips.at(i).first);
            return true;
        }
        const QUrl url = linkAt(option, index, event->pos());
        if (url.isValid()) {
            QToolTip::showText(event->globalPos(), url.toDisplayString(), view);
            return true;
        }
    }
    return QStyledItemDelegate::helpEvent(event, view, option, index);
}
