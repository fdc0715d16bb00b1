// A figure from the image library in a section body. The editor keeps only
// the image's number (<figure data-image="12"></figure>); the site prints the
// picture with its caption and credit from the library.
import { gettext, mergeAttributes, Node } from "django-prose-editor/editor"

export const LibraryFigure = Node.create({
  name: "libraryFigure",
  group: "block",
  atom: true,
  draggable: true,

  addAttributes() {
    return {
      image: {
        default: null,
        parseHTML: (element) => element.getAttribute("data-image"),
        renderHTML: (attributes) => ({ "data-image": attributes.image }),
      },
    }
  },

  parseHTML() {
    return [{ tag: "figure[data-image]" }]
  },

  renderHTML({ HTMLAttributes }) {
    return ["figure", mergeAttributes(HTMLAttributes)]
  },

  addCommands() {
    return {
      insertLibraryFigure:
        (image) =>
        ({ commands }) =>
          commands.insertContent({ type: this.name, attrs: { image } }),
    }
  },

  addMenuItems({ buttons, menu }) {
    menu.defineItem({
      name: "libraryFigure",
      groups: "nodes",
      command(editor) {
        const answer = window.prompt(
          gettext("Number of the image in the library (shown as #12 in its list):"),
        )
        const number = (answer || "").replace(/[^0-9]/g, "")
        if (number) {
          editor.chain().focus().insertLibraryFigure(number).run()
        }
      },
      button: buttons.material("image", gettext("Insert a figure from the image library")),
    })
  },
})
