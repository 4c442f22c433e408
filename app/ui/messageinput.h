#pragma once

#include <QPlainTextEdit>

#include <functional>

class QImage;

// Where the user types. Enter sends, Shift+Enter starts a new line, as in other chat
// programs; text that is only whitespace is never sent. Tab completes a nickname: "@al"
// becomes "@Alice ", a bare "al" at the start of a line "Alice: "; Tab again cycles
// through the other nicks that match. Without anything to complete, Tab moves the focus.
// Esc says the user wants out of what they were doing (editing, replying): cancelled().
// Pasting or dropping files (or a picture, such as a screenshot on the clipboard) does not
// insert their names or bytes as text: filesPasted() / imagePasted() say the user wants to
// share them.
class MessageInput final : public QPlainTextEdit
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MessageInput)

public:
    explicit MessageInput(QWidget *parent = nullptr);
    ~MessageInput() override;

    QSize sizeHint() const override;

    // Sends what is typed (as if Enter was pressed): emits submitted() and clears.
    void submit();

    // Where completion finds nicknames (the room's members) and which one is the user's.
    void setNickSource(std::function<QStringList()> nicks, std::function<QString()> self);
    // Completes the word before the cursor, or goes on to the next match after a
    // completion. False when there was nothing to complete.
    bool completeNick();

Q_SIGNALS:
    void submitted(const QString &text);
    void cancelled();
    void filesPasted(const QStringList &paths);
    void imagePasted(const QImage &image);

protected:
    bool event(QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    bool canInsertFromMimeData(const QMimeData *source) const override;
    void insertFromMimeData(const QMimeData *source) override;

private:
    struct CompletionState
    {
        int start = -1; // where the completed word starts
        int end = -1; // where the inserted completion ends (the cursor after it)
        QStringList candidates;
        int current = 0;
        bool atLineStart = false;
    };
    QString completionText(const QString &nick, bool atLineStart) const;

    std::function<QStringList()> m_nicks;
    std::function<QString()> m_self;
    CompletionState m_completion;
};
