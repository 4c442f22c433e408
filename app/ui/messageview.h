#pragma once

#include <QListView>
#include <QUrl>

#include <functional>
#include <optional>

class MessageDelegate;

// The conversation view. Behaves like a chat log rather than a list: it stays at the bottom
// while the user is there and new messages arrive; it asks for older history when the user
// reaches the top (reachedTop()); and when that older page is inserted above, what the
// user was reading stays where it was instead of jumping down by the page's height.
// Links in messages open on click (through an opener that tests can replace), a click on
// a reaction chip toggles it, a click on a shared file's card says so (fileClicked()), and
// the context menu is left to whoever shows the view.
class MessageView final : public QListView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MessageView)

public:
    explicit MessageView(QWidget *parent = nullptr);
    ~MessageView() override;

    void setModel(QAbstractItemModel *model) override;

    MessageDelegate *messageDelegate() const { return m_delegate; }
    // True while the view follows new messages (it was scrolled to the bottom).
    bool isFollowingBottom() const { return m_followBottom; }

    // What opens a clicked link; QDesktopServices::openUrl unless replaced.
    void setUrlOpener(std::function<void(const QUrl &)> opener) { m_openUrl = std::move(opener); }
    // The link under `pos` (viewport coordinates), if any.
    QUrl linkAt(const QPoint &pos) const;
    // Whether `pos` (viewport coordinates) is on a shared file's card.
    bool isOnFile(const QPoint &pos) const;
    // Draws "New messages" above the message with this id (empty: nowhere).
    void setUnreadMarker(const QString &id);
    // Scrolls to `index` (of this view's model), centres and selects it.
    void showMessage(const QModelIndex &index);

Q_SIGNALS:
    // The user scrolled to the very top: time to fetch older history.
    void reachedTop();
    // The user asked for a row's context menu (at `globalPos`).
    void messageMenuRequested(const QModelIndex &index, const QPoint &globalPos);
    // The user clicked a reaction chip under a message.
    void reactionClicked(const QModelIndex &index, const QString &emoji);
    // The user clicked a shared file's card (to save it, or open an image).
    void fileClicked(const QModelIndex &index);

protected:
    void updateGeometries() override;
    void wheelEvent(QWheelEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;

private:
    void onScrolled(int value);
    void onRowsAboutToBeInserted(const QModelIndex &parent, int first, int last);
    void copySelection() const;

    MessageDelegate *m_delegate;
    QStyleOptionViewItem optionFor(const QModelIndex &index) const;

    QMetaObject::Connection m_insertConnection;
    QMetaObject::Connection m_changeConnection;
    std::function<void(const QUrl &)> m_openUrl;
    QUrl m_pressedLink; // a click opens a link only if it was pressed on the same one
    bool m_followBottom = true;
    bool m_adjusting = false; // our own scrollbar moves are not the user's
    // Set when rows go in above everything: the distance from the bottom to keep.
    std::optional<int> m_keepDistanceFromBottom;
};
