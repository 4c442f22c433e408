#include "app/ui/memberdelegate.h"

#include "common/membermodel.h"

MemberDelegate::MemberDelegate(QObject *parent) : QStyledItemDelegate(parent) { }

MemberDelegate::~MemberDelegate() = default;

QString MemberDelegate::displayText(const QModelIndex &index)
{
    const QString nick = index.data(MemberModel::NickRole).toString();
    const bool away = index.data(MemberModel::IsAwayRole).toBool();
    const bool self = index.data(MemberModel::IsSelfRole).toBool();
    if (away && self)
        return tr("%1 (you, away)").arg(nick);
    if (away)
        return tr("%1 (away)").arg(nick);
    if (self)
        return tr("%1 (you)").arg(nick);
    return nick;
}

void MemberDelegate::initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const
{
    QStyledItemDelegate::initStyleOption(option, index);
    option->text = displayText(index);
    if (index.data(MemberModel::IsAwayRole).toBool()) {
        const QColor grey = option->palette.color(QPalette::PlaceholderText);
        option->palette.setColor(QPalette::Text, grey);
        option->font.setItalic(true);
    }
}
