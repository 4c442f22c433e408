#pragma once

#include <QHash>
#include <QStyledItemDelegate>

class QTextLayout;

// Paints one row of the conversation: the sender in bold with the time (hh:mm), then the
// text wrapped to the view's width; join/leave/info lines in grey italics; the user's own
// messages on their way marked "sending…", refused ones "failed: <reason>" in red.
//
// QListView lays out every row again after each insert, so sizeHint() runs for all rows
// each time a message arrives. Row heights are cached by (kind, text) for the width they
// were measured at; a different width empties the cache. A 100,000-row relayout is then
// hash lookups, not text layout.
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

    // For tests and the curious: how the size cache is doing.
    int cachedWidth() const { return m_cacheWidth; }
    qsizetype cacheSize() const { return m_heights.size(); }
    qint64 cacheHits() const { return m_hits; }
    qint64 cacheMisses() const { return m_misses; }

private:
    struct Key
    {
        QString text;
        bool event = false;
        friend bool operator==(const Key &, const Key &) = default;
        friend size_t qHash(const Key &key, size_t seed = 0) noexcept
        {
            return qHashMulti(seed, key.text, key.event);
        }
    };

    int contentWidth(const QStyleOptionViewItem &option) const;
    int measureHeight(const QString &text, bool event, const QFont &font, int width) const;

    // Mutable: sizeHint() is const, and the cache is what makes it cheap.
    mutable QHash<Key, int> m_heights;
    mutable int m_cacheWidth = -1;
    mutable QFont m_cacheFont;
    mutable qint64 m_hits = 0;
    mutable qint64 m_misses = 0;
};
