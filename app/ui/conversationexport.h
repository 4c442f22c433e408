#pragma once

#include <QString>

class QAbstractItemModel;

// A conversation as a file: plain text, one line per message ("[2026-11-22 09:30] Alice:
// text"), or a small HTML page with everything escaped. Takes the rows of any model with
// MessageModel's roles (a conversation tab's filter), in its order; events are left out.
namespace ConversationExport {

QString toText(const QAbstractItemModel &model);
QString toHtml(const QAbstractItemModel &model, const QString &title);

} // namespace ConversationExport
