// The share link's "Copy" button in the article admin: puts the link's
// address on the clipboard and says so on the button for a moment.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button.copy-link")
  if (!button) return
  navigator.clipboard.writeText(button.dataset.copy).then(() => {
    const label = button.textContent
    button.textContent = button.dataset.done
    setTimeout(() => {
      button.textContent = label
    }, 2000)
  })
})
