// The rich-text editor's "note" button: a note is a span of text marked
// <span data-note>…</span> where it belongs; readers see a numbered reference
// there and the note's text after the article (see articles/richtext.py).
import { Mark, gettext, mergeAttributes } from "django-prose-editor/editor"

export const Note = Mark.create({
  name: "note",
  // A note holds links and emphasis, never another note.
  excludes: "note",
  inclusive: false,

  parseHTML() {
    return [{ tag: "span[data-note]" }]
  },

  renderHTML({ HTMLAttributes }) {
    return ["span", mergeAttributes(HTMLAttributes, { "data-note": "" }), 0]
  },

  addCommands() {
    return {
      insertNote:
        () =>
        ({ state, commands }) => {
          if (!state.selection.empty) {
            // The selected words become the note; writing goes on after it.
            const end = state.selection.to
            return commands.setMark(this.name) && commands.setTextSelection(end)
          }
          // At the cursor: a placeholder text to write the note over.
          return commands.insertContent({
            type: "text",
            text: gettext("Text of the note"),
            marks: [{ type: this.name }],
          })
        },
      removeNote:
        () =>
        ({ commands }) =>
          commands.unsetMark(this.name, { extendEmptyMarkRange: true }),
    }
  },

  addMenuItems({ buttons, menu }) {
    menu.defineItem({
      name: "note",
      groups: "marks",
      command: (editor) =>
        editor.isActive("note")
          ? editor.chain().focus().removeNote().run()
          : editor.chain().focus().insertNote().run(),
      button: buttons.material("sticky_note_2", gettext("Note")),
      active: (editor) => editor.isActive("note"),
    })
  },
})
