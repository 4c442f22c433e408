#include "app/ui/conversationfilter.h"

#include "common/messagemodel.h"
#include "common/nickname.h"

ConversationFilter::ConversationFilter(QObject *parent) : QSortFilterProxyModel(parent)
{
    // Filtering only: the source's order is the conversation's order.
    setDynamicSortFilter(true);
}

ConversationFilter::~ConversationFilter() = default;

void ConversationFilter::setConversation(const QString &partner, const QString &self)
{
    m_partner = partner;
    m_self = self;
    invalidateFilter();
}

QString ConversationFilter::partnerOf(const QString &from, const QString &to, const QString &self)
{
    if (to.isEmpty())
        return {};
    return Confab::Nickname::key(from) == Confab::Nickname::key(self) ? to : from;
}

bool ConversationFilter::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    const QString to = index.data(MessageModel::ToRole).toString();
    if (m_partner.isEmpty())
        return to.isEmpty();
    if (to.isEmpty())
        return false;
    const QString from = index.data(MessageModel::SenderRole).toString();
    return Confab::Nickname::key(partnerOf(from, to, m_self)) == Confab::Nickname::key(m_partner);
}
