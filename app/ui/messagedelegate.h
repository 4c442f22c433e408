#pragma once

#include <QHash>
#include <QPointer>
#include <QStyledItemDelegate>
#include <QUrl>

class FileSharing;
class MessageModel;
class QTextLayout;

// Paints one row of the conversation: the sender in bold with the time (hh:mm), then the
// text wrapped to the view's width; join/leave/info lines in grey italics; the user's own
// messages on their way marked "sending…", refused ones "failed: <reason>" in red.
// Around the text: a "New messages" line above the first unread row, a quoted excerpt of
// the message a reply answers, "(edited)" after edited text, "message deleted" in grey
// italics, and reaction chips ("👍 2") underneath. A shared file is a card under the text:
// its name, size and type, and for an image a thumbnail (from FileSharing, fetched when the
// row is first painted) in a box of fixed height, so a row keeps its size when it arrives. Links are underlined in the link
// colour; messages that mention the user are highlighted. Text is always laid out as plain
// text (QTextLayout with format ranges): nothing anyone types becomes markup.
//
// QListView lays out every row again after each insert, so sizeHint() runs for all rows
// each time a message arrives. Row heights are cached by what decides them (the shown
// text and which extra lines the row has) for the width they were measured at; a
// different width empties the cache. A 100,000-row relayout is then hash lookups, not
// text layout.
class MessageDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MessageDelegate)

public:
    explicit MessageDelegate(QObject *parent = nullptr);
    ~MessageDelegate() override;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    bool helpEvent(QHelpEvent *event, QAbstractItemView *view, const QStyleOptionViewItem &option,
                   const QModelIndex &index) override;

    // The user's nickname: their mentions are highlighted, their reactions marked.
    void setSelfNick(const QString &nick) { m_selfNick = nick; }
    QString selfNick() const { return m_selfNick; }
    // The message (by id) above which "New messages" is drawn; empty for none. The view
    // must lay its rows out again after a change (MessageView::setUnreadMarker does).
    void setUnreadMarker(const QString &id) { m_unreadMarker = id; }
    QString unreadMarker() const { return m_unreadMarker; }

    // Where thumbnails come from; without it, images are shown as plain file cards.
    void setFileSharing(FileSharing *files);

    // What a row shows, for tests and the clipboard alike.
    bool isMention(const QModelIndex &index) const;
    static QString bodyText(const QModelIndex &index);
    static QStringList reactionTexts(const QModelIndex &index);
    static QString replyText(const QModelIndex &index);
    // "cat.png — 48 KB · image/png"; empty without a file.
    static QString fileText(const QModelIndex &index);

    // Hit-testing for the view: the link or reaction chip at `pos` (view coordinates) in
    // the row drawn at option.rect.
    QUrl linkAt(const QStyleOptionViewItem &option, const QModelIndex &index,
                const QPoint &pos) const;
    QString reactionAt(const QStyleOptionViewItem &option, const QModelIndex &index,
                       const QPoint &pos) const;
    // The file card (thumbnail included) of the row drawn at option.rect; null without one.
    QRect fileRect(const QStyleOptionViewItem &option, const QModelIndex &index) const;

    // For tests and the curious: how the size cache is doing.
    int cachedWidth() const { return m_cacheWidth; }
    qsizetype cacheSize() const { return m_heights.size(); }
    qint64 cacheHits() const { return m_hits; }
    qint64 cacheMisses() const { return m_misses; }

private:
    enum Part : quint8 {
        Event = 1,
        Deleted = 2,
        Reply = 4,
        Reactions = 8,
        Separator = 16,
        File = 32,
        Image = 64,
    };
    struct Key
    {
        QString text;
        quint8 parts = 0;
        friend bool operator==(const Key &, const Key &) = default;
        friend size_t qHash(const Key &key, size_t seed = 0) noexcept
        {
            return qHashMulti(seed, key.text, key.parts);
        }
    };
    // Where a row's pieces go, from its top-left content corner.
    struct Geometry
    {
        int separatorHeight = 0;
        int headerHeight = 0;
        int quoteHeight = 0;
        int bodyTop = 0;
        int bodyHeight = 0;
        int fileTop = 0;
        int fileHeight = 0;
        int chipsTop = 0;
        int chipsHeight = 0;
        int total = 0;
    };

    Key keyOf(const QModelIndex &index) const;
    Geometry geometry(quint8 parts, int bodyHeight, const QFont &font) const;
    int contentWidth(const QStyleOptionViewItem &option) const;
    int measureHeight(const Key &key, const QFont &font, int width) const;
    void prepareBody(QTextLayout &layout, const QModelIndex &index, const QFont &font,
                     const QPalette &palette, bool selected) const;
    QList<QPair<QRect, QString>> chipRects(const QStyleOptionViewItem &option,
                                           const QModelIndex &index) const;

    static QString sizeAndType(const QVariantMap &file); // "48 KiB · image/png"
    static int bodyHeight(QTextLayout &body, const Key &key, int width);
    void paintFile(QPainter *painter, const QRect &card, const QModelIndex &index,
                   const QStyleOptionViewItem &option, bool selected) const;

    QString m_selfNick;
    QString m_unreadMarker;
    QPointer<FileSharing> m_files;
    // Mutable: sizeHint() is const, and the cache is what makes it cheap.
    mutable QHash<Key, int> m_heights;
    mutable int m_cacheWidth = -1;
    mutable QFont m_cacheFont;
    mutable qint64 m_hits = 0;
    mutable qint64 m_misses = 0;
};
