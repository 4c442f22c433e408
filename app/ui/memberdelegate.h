#pragma once

#include <QStyledItemDelegate>

// A member in the list beside the conversation: away members greyed, "(away)" after the
// name, and the user's own entry marked "(you)".
class MemberDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MemberDelegate)

public:
    explicit MemberDelegate(QObject *parent = nullptr);
    ~MemberDelegate() override;

    // The line shown for a member of the model (MemberModel's roles).
    static QString displayText(const QModelIndex &index);

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override;
};
