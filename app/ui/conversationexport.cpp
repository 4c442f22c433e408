#include "app/ui/conversationexport.h"

#include "common/messagemodel.h"

#include <QAbstractItemModel>
#include <QCoreApplication>
#include <QDateTime>

namespace {

struct Line
{
    QString time;
    QString sender;
    QString text;
    bool deleted = false;
    bool edited = false;
};

QString tr(const char *text)
{
    return QCoreApplication::translate("ConversationExport", text);
}

template<typename F>
void forEachMessage(const QAbstractItemModel &model, F &&f)
{
    for (int row = 0; row < model.rowCount(); ++row) {
        const QModelIndex index = model.index(row, 0);
        if (index.data(MessageModel::KindRole).value<MessageModel::Kind>() != MessageModel::Kind::Chat)
            continue;
        Line line;
        line.time = index.data(MessageModel::TimeRole)
                        .toDateTime()
                        .toLocalTime()
                        .toString(QStringLiteral("yyyy-MM-dd HH:mm"));
        line.sender = index.data(MessageModel::SenderRole).toString();
        line.text = index.data(MessageModel::TextRole).toString();
        line.deleted = index.data(MessageModel::DeletedRole).toBool();
        line.edited = index.data(MessageModel::EditedRole).toBool();
        f(line);
    }
}

} // namespace

namespace ConversationExport {

QString toText(const QAbstractItemModel &model)
{
    QString out;
    forEachMessage(model, [&out](const Line &line) {
        QString text = line.deleted ? tr("(message deleted)") : line.text;
        if (line.edited && !line.deleted)
            text = tr("%1 (edited)").arg(text);
        out += QStringLiteral("[%1] %2: %3\n").arg(line.time, line.sender, text);
    });
    return out;
}

QString toHtml(const QAbstractItemModel &model, const QString &title)
{
    QString out = QStringLiteral(
                      "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
                      "<title>%1</title>\n<style>\n"
                      "body { font-family: sans-serif; max-width: 50em; margin: 2em auto; }\n"
                      ".msg { margin: 0.3em 0; white-space: pre-wrap; }\n"
                      ".time { color: #777; } .nick { font-weight: bold; }\n"
                      ".deleted, .edited { color: #777; font-style: italic; }\n"
                      "</style>\n</head>\n<body>\n<h1>%1</h1>\n")
                      .arg(title.toHtmlEscaped());
    forEachMessage(model, [&out](const Line &line) {
        QString text;
        if (line.deleted) {
            text = QStringLiteral("<span class=\"deleted\">%1</span>")
                       .arg(tr("message deleted").toHtmlEscaped());
        } else {
            text = line.text.toHtmlEscaped();
            if (line.edited)
                text += QStringLiteral(" <span class=\"edited\">%1</span>")
                            .arg(tr("(edited)").toHtmlEscaped());
        }
        out += QStringLiteral("<div class=\"msg\"><span class=\"time\">[%1]</span> "
                              "<span class=\"nick\">%2:</span> %3</div>\n")
                   .arg(line.time.toHtmlEscaped(), line.sender.toHtmlEscaped(), text);
    });
    out += QStringLiteral("</body>\n</html>\n");
    return out;
}

} // namespace ConversationExport
