#pragma once

#include <QListView>

#include <optional>

class MessageDelegate;

// The conversation view. Behaves like a chat log rather than a list: it stays at the bottom
// while the user is there and new messages arrive; it asks for older history when the user
// reaches the top (reachedTop()); and when that older page is inserted above, what the
// user was reading stays where it was instead of jumping down by the page's height.
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

Q_SIGNALS:
    // The user scrolled to the very top: time to fetch older history.
    void reachedTop();

protected:
    void updateGeometries() override;
    void wheelEvent(QWheelEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;

private:
    void onScrolled(int value);
    void onRowsAboutToBeInserted(const QModelIndex &parent, int first, int last);
    void copySelection() const;

    MessageDelegate *m_delegate;
    QMetaObject::Connection m_insertConnection;
    bool m_followBottom = true;
    bool m_adjusting = false; // our own scrollbar moves are not the user's
    // Set when rows go in above everything: the distance from the bottom to keep.
    std::optional<int> m_keepDistanceFromBottom;
};
